"""Last-position logits of token sequences in llama.cpp (llama-cpp-python), for the check_llamacpp_*
scripts. Run them with the venv that has llama-cpp-python (see check_llamacpp_lora.py)."""
import numpy as np


def last_logits(model_path, sequences, lora_path=None, threads=2):
    """One row per sequence: llama.cpp's logits at the sequence's last token."""
    from llama_cpp import Llama
    llm = Llama(model_path=model_path, lora_path=lora_path, logits_all=True, n_ctx=512, n_threads=threads,
                verbose=False)
    rows = []
    for sequence in sequences:
        llm.reset()
        llm.eval(sequence)
        rows.append(np.array(llm.scores[len(sequence) - 1], dtype=np.float32))
    return np.stack(rows)
