import Foundation
import XCTest
import ZOModels

/// Strict loading of the OPT, GPT-2 and Qwen2 families: a missing or misshapen weight, and every
/// configuration option the forward does not implement, is a one-sentence error.
final class DecoderLoadingErrorTests: XCTestCase {
    private func assertLoadFails(_ copy: FixtureCopy, _ expected: (FixtureCopy) -> ModelError, line: UInt = #line) {
        XCTAssertThrowsError(try copy.load(), line: line) { error in
            XCTAssertEqual(error as? ModelError, expected(copy), line: line)
        }
    }

    private func assertRejects(_ fixture: String, _ edit: [String: Any], reason: String, line: UInt = #line) throws {
        let copy = try FixtureCopy(fixture)
        try copy.setConfig(edit)
        assertLoadFails(copy, { .invalidConfiguration(source: $0.configURL.path, reason: reason) }, line: line)
    }

    func testMissingWeights() throws {
        for (fixture, name) in [
            ("tiny-opt", "model.decoder.layers.1.fc2.bias"), ("tiny-opt-post-ln", "model.decoder.project_in.weight"),
            ("tiny-gpt2", "transformer.wpe.weight"), ("tiny-qwen2", "model.layers.0.self_attn.q_proj.bias"),
        ] {
            let copy = try FixtureCopy(fixture)
            try copy.editWeights { $0.removeAll { $0.name == name } }
            assertLoadFails(copy) { .missingWeight(name: name, source: $0.folder.path) }
        }
    }

    /// A GPT-2 Conv1D weight stored the nn.Linear way round is caught by its shape.
    func testConv1DWeightInLinearLayout() throws {
        let copy = try FixtureCopy("tiny-gpt2")
        let name = "transformer.h.0.mlp.c_fc.weight"
        try copy.editWeights { tensors in
            let i = try XCTUnwrap(tensors.firstIndex { $0.name == name })
            tensors[i].shape = [192, 48]
        }
        assertLoadFails(copy) { _ in .wrongShape(name: name, expected: [48, 192], actual: [192, 48]) }
    }

    /// A separate head in a tied model is tolerated only as OPT's and GPT-2's stored copy; Qwen2 and
    /// LLaMA treat any tensor the configuration does not use as an error, o_proj biases included.
    func testUnusedWeight() throws {
        let copy = try FixtureCopy("tiny-qwen2")
        try copy.editWeights { $0.append(.init(name: "model.layers.0.self_attn.o_proj.bias", shape: [64], floats: .init(repeating: 0, count: 64))) }
        assertLoadFails(copy) { .unusedWeight(name: "model.layers.0.self_attn.o_proj.bias", source: $0.folder.path) }
    }

    func testUnsupportedOptions() throws {
        try assertRejects("tiny-opt", ["activation_function": "gelu_fast"], reason: "activation_function gelu_fast is not supported")
        try assertRejects("tiny-opt", ["num_attention_heads": 5], reason: "the hidden size 64 is not a multiple of the head count 5")
        try assertRejects("tiny-gpt2", ["add_cross_attention": true], reason: "add_cross_attention = true is not supported")
        try assertRejects("tiny-gpt2", ["activation_function": "silu"], reason: "activation_function silu is not supported")
        try assertRejects(
            "tiny-qwen2", ["use_sliding_window": true, "sliding_window": 4, "layer_types": ["full_attention", "sliding_attention"]],
            reason: "sliding-window attention (use_sliding_window = true) is not supported")
        try assertRejects(
            "tiny-qwen2", ["rope_parameters": ["rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0]],
            reason: "rope scaling type yarn is not supported (default and llama3 are)")
        let llama3 = ["rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0,
                      "high_freq_factor": 4.0, "original_max_position_embeddings": 64] as [String: Any]
        try assertRejects(
            "tiny-llama3-rope", ["rope_parameters": llama3.filter { $0.key != "factor" }],
            reason: "llama3 rope scaling needs a positive factor")
        try assertRejects(
            "tiny-llama3-rope", ["rope_parameters": llama3.merging(["high_freq_factor": 1.0]) { $1 }],
            reason: "llama3 rope scaling needs high_freq_factor > low_freq_factor")
    }

    /// Qwen2's sliding-window options are harmless while no layer actually slides.
    func testQwen2SlidingWindowSwitchedOffLoads() throws {
        let copy = try FixtureCopy("tiny-qwen2")
        try copy.setConfig(["use_sliding_window": false, "sliding_window": 4, "max_window_layers": 0])
        XCTAssertNoThrow(try copy.load())
        try copy.setConfig(["use_sliding_window": true, "sliding_window": 4, "max_window_layers": 28, "layer_types": NSNull()])
        XCTAssertNoThrow(try copy.load())
    }
}
