import XCTest
import ZOModels
import ZOTensor

/// Every tensor of every tiny family fixture carries the kind its family's naming says: a name the
/// table does not know, or a tag that differs from it, fails. The table is the families' own naming
/// (transformers' modules), written out independently of the code that tags.
final class ParameterKindTests: XCTestCase {
    /// Every tiny model fixture, as folders and as the GGUF files scripts/test-fixtures writes.
    static let fixtures = [
        "tiny-llama", "tiny-llama-untied", "tiny-llama3-rope", "tiny-qwen2", "tiny-qwen2-untied", "tiny-opt",
        "tiny-opt-bin", "tiny-opt-post-ln", "tiny-gpt2", "tiny-bert", "tiny-bert-mlm", "tiny-roberta-mlm",
        "formats/tiny-qwen2.gguf", "formats/tiny-llama3-rope.gguf", "formats/tiny-gpt2.gguf", "formats/tiny-bert.gguf",
    ]

    /// Module suffixes (the name without `.weight` / `.bias`, matched at a component boundary) by
    /// family, first match wins.
    static let naming: [String: [(module: String, kind: ParameterKind)]] = {
        let llama: [(String, ParameterKind)] = [
            ("embed_tokens", .tokenEmbedding), ("self_attn.q_proj", .query), ("self_attn.k_proj", .key),
            ("self_attn.v_proj", .value), ("self_attn.o_proj", .attentionOutput), ("input_layernorm", .norm),
            ("post_attention_layernorm", .norm), ("model.norm", .norm), ("mlp.gate_proj", .gate), ("mlp.up_proj", .up),
            ("mlp.down_proj", .down), ("lm_head", .head),
        ]
        let encoder: [(String, ParameterKind)] = [
            ("embeddings.word_embeddings", .tokenEmbedding), ("embeddings.position_embeddings", .positionEmbedding),
            ("embeddings.token_type_embeddings", .tokenTypeEmbedding), ("LayerNorm", .norm), ("layer_norm", .norm),
            ("attention.self.query", .query), ("attention.self.key", .key), ("attention.self.value", .value),
            ("attention.output.dense", .attentionOutput), ("intermediate.dense", .up), ("output.dense", .down),
            ("cls.predictions.transform.dense", .head), ("cls.predictions.decoder", .head), ("cls.predictions", .head), ("lm_head.dense", .head),
            ("lm_head.decoder", .head), ("lm_head", .head), ("pooler.dense", .head), ("classifier", .head),
        ]
        return [
            "llama": llama, "qwen2": llama,
            "opt": [
                ("embed_tokens", .tokenEmbedding), ("embed_positions", .positionEmbedding), ("project_in", .projectIn),
                ("project_out", .projectOut), ("self_attn.q_proj", .query), ("self_attn.k_proj", .key),
                ("self_attn.v_proj", .value), ("self_attn.out_proj", .attentionOutput), ("self_attn_layer_norm", .norm),
                ("final_layer_norm", .norm), ("fc1", .up), ("fc2", .down), ("lm_head", .head),
            ],
            "gpt2": [
                ("wte", .tokenEmbedding), ("wpe", .positionEmbedding), ("ln_1", .norm), ("ln_2", .norm), ("ln_f", .norm),
                ("attn.c_attn", .queryKeyValue), ("attn.c_proj", .attentionOutput), ("mlp.c_fc", .up),
                ("mlp.c_proj", .down), ("lm_head", .head),
            ],
            "bert": encoder, "roberta": encoder,
        ]
    }()

    static func expectedKind(of name: String, family: String) -> ParameterKind? {
        let module = name.hasSuffix(".weight") ? String(name.dropLast(7)) : name.hasSuffix(".bias") ? String(name.dropLast(5)) : name
        return naming[family]?.first { module == $0.module || module.hasSuffix("." + $0.module) }?.kind
    }

    func testEveryTensorOfEveryFamilyHasTheKindItsNameSays() throws {
        var families = Set<String>()
        for fixture in Self.fixtures {
            let model = try LoadedModel.open(path: Fixtures.url(fixture).path).model
            families.insert(model.family)
            for entry in model.weights.entries {
                let expected = Self.expectedKind(of: entry.name, family: model.family)
                XCTAssertNotNil(expected, "\(fixture): \(entry.name) is not in \(model.family)'s naming table")
                XCTAssertEqual(entry.kind, expected, "\(fixture): \(entry.name)")
            }
        }
        XCTAssertEqual(families, Set(Self.naming.keys), "every family's naming is checked on a fixture")
    }

    /// Spot checks of the table itself, so that a too-greedy suffix cannot hide a wrong tag.
    func testNamingTableDistinguishesLookalikeModules() {
        XCTAssertEqual(Self.expectedKind(of: "transformer.h.0.attn.c_proj.weight", family: "gpt2"), .attentionOutput)
        XCTAssertEqual(Self.expectedKind(of: "transformer.h.0.mlp.c_proj.bias", family: "gpt2"), .down)
        XCTAssertEqual(Self.expectedKind(of: "bert.encoder.layer.1.attention.output.dense.weight", family: "bert"), .attentionOutput)
        XCTAssertEqual(Self.expectedKind(of: "bert.encoder.layer.1.output.dense.weight", family: "bert"), .down)
        XCTAssertEqual(Self.expectedKind(of: "bert.encoder.layer.1.attention.output.LayerNorm.bias", family: "bert"), .norm)
        XCTAssertEqual(Self.expectedKind(of: "model.decoder.layers.0.final_layer_norm.weight", family: "opt"), .norm)
        XCTAssertNil(Self.expectedKind(of: "model.layers.0.self_attn.rotary_emb.inv_freq", family: "llama"))
    }

    /// Raw values are what a command line or config.json spells: short, unique, stable.
    func testRawValuesAreShortAndStable() {
        XCTAssertEqual(ParameterKind.allCases.map(\.rawValue), [
            "q", "k", "v", "o", "qkv", "gate", "up", "down", "embed", "pos_embed", "type_embed", "proj_in", "proj_out",
            "norm", "head",
        ])
        XCTAssertEqual(ParameterKind.queryKeyValue.parts, [.query, .key, .value])
        XCTAssertEqual(ParameterKind.key.parts, [.key])
    }
}
