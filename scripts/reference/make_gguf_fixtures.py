#!/usr/bin/env python3
"""Writes every GGUF test fixture, with the reference `gguf` writer, from inputs committed in the
repository (the tiny HF folders, the tokenizer fixtures, seeded random blocks). GGUF files are not
committed (`*.gguf` is ignored: that is where model weights live); scripts/test runs this in a small
environment (scripts/fixtures-env: gguf, numpy, safetensors, transformers and tokenizers without
torch, sentencepiece) before the tests. Re-running gives the same bytes.

    python scripts/reference/make_gguf_fixtures.py

Writes Tests/Fixtures/formats/{mixed, block-quants, tiny-qwen2, tiny-llama3-rope, tiny-gpt2, tiny-bert,
tiny-wordpiece-cased-vocab}.gguf and Tests/Fixtures/tokenizer/tiny-spm.gguf. The golden values the
tests compare them with are committed, from the full scripts (make_format_fixtures.py,
make_kquant_fixtures.py, make_tiny_gguf.py, make_spm_tokenizer_fixtures.py), which call the same
writers.
"""
import contextlib
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_format_fixtures  # noqa: E402
import make_kquant_fixtures  # noqa: E402
import make_spm_tokenizer_fixtures as spm  # noqa: E402
import make_tiny_gguf  # noqa: E402


def main():
    os.makedirs(make_format_fixtures.OUT, exist_ok=True)
    # The writers print progress and notes from the libraries; keep CI output to one line.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        make_format_fixtures.make_gguf()
        make_kquant_fixtures.main()
        make_tiny_gguf.write_qwen2()
        make_tiny_gguf.write_llama3_rope()
        make_tiny_gguf.write_gpt2()
        make_tiny_gguf.write_bert()
        make_tiny_gguf.write_cased_vocabulary()
        spm.write_gguf(spm.FOLDER, os.path.join(spm.FIX, f"{spm.NAME}.gguf"))
    print("GGUF test fixtures written (scripts/reference/make_gguf_fixtures.py)")


if __name__ == "__main__":
    main()
