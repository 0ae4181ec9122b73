"""``voicesmith bench``: speed of raw kokoro-onnx, the engine and the HTTP server, in one run."""
