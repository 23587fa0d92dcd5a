{
  "targets": [
    {
      "target_name": "peng_prctl",
      "sources": ["native/prctl.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror"],
      "conditions": [["OS!='linux'", {"type": "none", "sources": []}]]
    }
  ]
}
