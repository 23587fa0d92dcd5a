{
  "targets": [
    {
      "target_name": "peng_prctl",
      "sources": ["native/prctl.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror"],
      "conditions": [["OS!='linux'", {"type": "none", "sources": []}]]
    },
    {
      "target_name": "peng_pcap",
      "sources": ["native/pcap.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-std=gnu11"],
      "libraries": ["-lpcap"],
      "conditions": [["OS=='win'", {"type": "none", "sources": []}]]
    }
  ]
}
