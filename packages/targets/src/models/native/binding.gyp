{
  "targets": [
    {
      "target_name": "mlp_native",
      "sources": ["mlp.c"],
      "cflags": ["-O3", "-std=gnu11", "-ffp-contract=fast", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wno-unused-function"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "3",
        "OTHER_CFLAGS": ["-std=gnu11", "-ffp-contract=fast", "-fno-math-errno"]
      }
    }
  ]
}
