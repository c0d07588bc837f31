import CZOKernels

/// The pointwise nonlinearities of two-matrix MLPs (OPT's ReLU, GPT-2's tanh-approximated GELU,
/// BERT's exact GELU), applied in place to the first linear layer's output.

/// x = max(x, 0) over `count` floats.
public func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
    zo_relu(x, count)
}

/// x = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) over `count` floats: transformers' `gelu_new`
/// (also `gelu_pytorch_tanh`). Computed as x·sigmoid(2u), since 0.5·(1 + tanh(u)) = sigmoid(2u):
/// one vector exp per lane instead of a libm `tanhf` call (65× faster, compute.md §3).
public func geluTanh(_ x: UnsafeMutablePointer<Float>, count: Int) {
    zo_gelu_tanh(x, count)
}

/// GELU in place over `count` floats, the exact (erf) form BERT's `hidden_act: "gelu"` means:
/// x · ½ · (1 + erf(x / √2)). Not the tanh approximation (`gelu_new`), which differs by a few 1e-4.
/// erf is Abramowitz & Stegun 7.1.26, the approximation PyTorch's vectorised CPU `erf` uses.
public func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
    zo_gelu(x, count)
}
