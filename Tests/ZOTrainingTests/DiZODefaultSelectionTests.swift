import XCTest
import ZOEstimators
import ZOModels
import ZOTensor

/// DiZO's default projected set comes from parameter kinds (attention key and value; GPT-2's fused
/// c_attn whole) and selects exactly what the name patterns of earlier versions selected, which old
/// run folders still store in config.json and which therefore must keep selecting the same tensors.
final class DiZODefaultSelectionTests: XCTestCase {
    /// The default `projectedTensors` (then `projectedTensorPatterns`) before kinds, as config.json files of that time hold it.
    static let earlierDefaultPatterns = [
        "self_attn.k_proj.weight", "self_attn.v_proj.weight", "attn.c_attn.weight",
        "attention.self.key.weight", "attention.self.value.weight",
    ]

    func testDefaultSelectionEqualsTheEarlierNamePatternsOnEveryFamily() throws {
        for fixture in ActivationRowsTests.fixtures {
            let model = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent(fixture).path).model
            for parameters in [TrainableSet(arena: model.weights), TrainableSet(arena: model.weights, roles: [.matrix], lastLayers: 1)] {
                let byKind = DiZO().anchorTensors(in: parameters)
                let byName = DiZO(configuration: .init(projectedTensors: Self.earlierDefaultPatterns)).anchorTensors(in: parameters)
                XCTAssertFalse(byKind.isEmpty, fixture)
                XCTAssertEqual(byKind.map(\.entry.name), byName.map(\.entry.name), fixture)
            }
        }
    }

    /// A config.json written before kinds (and before settings had one name) stores the five names; it
    /// decodes to the same selection.
    func testEarlierConfigurationDecodesToTheSameSelection() throws {
        let json = #"{"dizo": {"_0": {"perturbationScale": 0.001, "directions": 1, "projectionInterval": 50, "projectionIterations": 10, "#
            + #""projectionPerturbation": 0.1, "projectionStepSize": 2, "projectionRadius": 0.2, "projectedTensorPatterns": "#
            + #"["self_attn.k_proj.weight", "self_attn.v_proj.weight", "attn.c_attn.weight", "#
            + #""attention.self.key.weight", "attention.self.value.weight"]}}}"#
        let method = try JSONDecoder().decode(MethodConfiguration.self, from: Data(json.utf8))
        let configuration = try XCTUnwrap(method.settings as? DiZO.Configuration)
        let model = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent("tiny-gpt2").path).model
        let parameters = TrainableSet(arena: model.weights)
        XCTAssertEqual(DiZO(configuration: configuration).anchorTensors(in: parameters).map(\.entry.name),
                       DiZO().anchorTensors(in: parameters).map(\.entry.name))
    }
}
