import XCTest
import ZOEstimators
import ZOTensor

/// Which tensors a run trains: by role, and optionally only the last layers and what follows them.
final class TrainableSetTests: XCTestCase {
    /// An encoder-shaped arena: embeddings, two layers, a pooler and a task head.
    private let arena = WeightArena([
        ParameterSpec(name: "embeddings.word_embeddings.weight", shape: [16, 4], role: .embedding, layer: nil, kind: .tokenEmbedding, activationUse: .lookup),
        ParameterSpec(name: "embeddings.LayerNorm.weight", shape: [4], role: .norm, layer: nil, kind: .norm, activationUse: []),
        ParameterSpec(name: "encoder.layer.0.attention.self.query.weight", shape: [4, 4], role: .matrix, layer: 0, kind: .query, activationUse: .everyToken),
        ParameterSpec(name: "encoder.layer.0.attention.self.query.bias", shape: [4], role: .bias, layer: 0, kind: .query, activationUse: []),
        ParameterSpec(name: "encoder.layer.1.attention.self.query.weight", shape: [4, 4], role: .matrix, layer: 1, kind: .query, activationUse: .everyToken),
        ParameterSpec(name: "encoder.layer.1.attention.self.query.bias", shape: [4], role: .bias, layer: 1, kind: .query, activationUse: []),
        ParameterSpec(name: "pooler.dense.weight", shape: [4, 4], role: .matrix, layer: nil, kind: .head, activationUse: .scoredRows),
        ParameterSpec(name: "classifier.weight", shape: [2, 4], role: .head, layer: nil, kind: .head, activationUse: .scoredRows),
        ParameterSpec(name: "classifier.bias", shape: [2], role: .head, layer: nil, kind: .head, activationUse: []),
    ])

    private func names(_ set: TrainableSet) -> [String] { set.tensors.map(\.entry.name) }

    func testEverythingByDefault() {
        XCTAssertEqual(TrainableSet(arena: arena).tensors.count, arena.entries.count)
    }

    func testTheHeadRoleAloneIsLinearProbing() {
        XCTAssertEqual(names(TrainableSet(arena: arena, roles: [.head])), ["classifier.weight", "classifier.bias"])
    }

    func testLastLayersKeepWhatFollowsThemAndFreezeEmbeddings() {
        XCTAssertEqual(names(TrainableSet(arena: arena, lastLayers: 1)), [
            "encoder.layer.1.attention.self.query.weight", "encoder.layer.1.attention.self.query.bias",
            "pooler.dense.weight", "classifier.weight", "classifier.bias",
        ])
        XCTAssertEqual(names(TrainableSet(arena: arena, lastLayers: 0)), ["pooler.dense.weight", "classifier.weight", "classifier.bias"])
        XCTAssertEqual(names(TrainableSet(arena: arena, roles: [.matrix], lastLayers: 5)), [
            "encoder.layer.0.attention.self.query.weight", "encoder.layer.1.attention.self.query.weight", "pooler.dense.weight",
        ])
    }

    /// Indices stay the arena positions, so z for a tensor does not depend on what else trains.
    func testIndicesAreArenaPositions() {
        XCTAssertEqual(TrainableSet(arena: arena, roles: [.head]).tensors.map(\.index), [7, 8])
    }
}
