import Foundation
import XCTest
import ZOEstimators

/// One registry: names, settings with one name in code, config.json and flag, command-line values
/// refused where they do not apply, and config.json of today's and the previous format.
final class MethodRegistryTests: XCTestCase {
    func testRegistryMapsNamesToEstimators() throws {
        XCTAssertEqual(MethodRegistry.names, ["mezo", "subzero", "dizo", "pgap", "fzoo", "zo-muon"])
        XCTAssertTrue(try MethodRegistry.method(named: "pgap") == PGAP.self)
        XCTAssertThrowsError(try MethodRegistry.method(named: "sgd")) {
            XCTAssertEqual("\($0)", "unknown method sgd; known methods: mezo, subzero, dizo, pgap, fzoo, zo-muon")
        }
    }

    func testDefaultsMatchTheDesign() {
        XCTAssertEqual(MeZO().configuration, MeZO.Configuration(epsilon: 1e-3, directions: 1, weightDecay: 0))
        XCTAssertEqual(SubZero().configuration.rank, 8)
        XCTAssertEqual(SubZero().configuration.window, 1000)
        let dizo = DiZO().configuration
        XCTAssertEqual([dizo.projectionEpsilon, dizo.projectionLR, dizo.projectionRadius], [0.1, 2.0, 0.2])
        XCTAssertEqual([dizo.projectionInterval, dizo.projectionIterations], [50, 10])
        let pgap = PGAP().configuration
        XCTAssertEqual([pgap.rank, pgap.window, pgap.probes], [64, 100, 10])
        XCTAssertEqual(pgap.alignment, 2)
        XCTAssertEqual(pgap.alignmentSchedule, .linearDecay)
        XCTAssertEqual(pgap.sign, .perTensor)
        XCTAssertEqual(pgap.directionScale, .subspaceVolume)
        XCTAssertTrue(pgap.lowRankEmbeddings)
        XCTAssertEqual(FZOO().configuration, FZOO.Configuration(epsilon: 1e-3, directions: 8))
    }

    /// Every setting's name is its config.json key, and every key is a setting: one name everywhere.
    func testSettingNamesAreTheConfigurationKeys() throws {
        for method in MethodRegistry.methods {
            var configuration = try MethodConfiguration.defaults(for: method.name)
            // Set the optional settings too, so that every key is written.
            if method == PGAP.self {
                try configuration.set(flag: "--probe-epsilon", values: ["0.01"])
                try configuration.set(flag: "--alignment-mode", values: ["cosine"])
                try configuration.set(flag: "--subspace-source", values: ["activations"])
                try configuration.set(flag: "--activation-iterations", values: ["2"])
            }
            if method == SubZero.self || method == PGAP.self { try configuration.set(flag: "--low-rank-apply", values: ["factored"]) }
            if method == SubZero.self {
                try configuration.set(flag: "--subspace-source", values: ["activations"])
                try configuration.set(flag: "--power-iterations", values: ["2"])
            }
            if method == DiZO.self { try configuration.set(flag: "--projected-tensors", values: ["k_proj.weight"]) }
            let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as! [String: Any]
            XCTAssertEqual(Set(object.keys), Set(configuration.settingNames + ["name"]), method.name)
            XCTAssertEqual(object["name"] as? String, method.name)
        }
    }

    func testFlagsAreTheNamesInKebabCase() throws {
        let flags = PGAP.Configuration.settings.map(\.flag)
        XCTAssertTrue(flags.contains("--probe-epsilon"))
        XCTAssertTrue(flags.contains("--low-rank-apply"))
        XCTAssertEqual(DiZO.Configuration.settings.first { $0.name == "projectionLR" }?.flag, "--projection-lr")
    }

    func testCommandLineValuesAreSetAndCheckedPerMethod() throws {
        var pgap = try MethodConfiguration.defaults(for: "pgap")
        try pgap.set(flag: "--rank", values: ["16"])
        try pgap.set(flag: "--alignment-schedule", values: ["off"])
        try pgap.set(flag: "--low-rank-embeddings", values: ["false"])
        let settings = try XCTUnwrap(pgap.settings as? PGAP.Configuration)
        XCTAssertEqual(settings.rank, 16)
        XCTAssertEqual(settings.alignmentSchedule, .off)
        XCTAssertFalse(settings.lowRankEmbeddings)

        var mezo = MethodConfiguration.mezo()
        XCTAssertThrowsError(try mezo.set(flag: "--rank", values: ["8"])) {
            XCTAssertEqual("\($0)", "--rank does not apply to --method mezo (it is an option of subzero, pgap, zo-muon); mezo takes --epsilon, --directions, --weight-decay")
        }
        XCTAssertThrowsError(try mezo.set(flag: "--stpes", values: ["8"])) { XCTAssertEqual("\($0)", "unknown option --stpes") }
        XCTAssertThrowsError(try mezo.set(flag: "--epsilon", values: ["0"])) {
            XCTAssertEqual("\($0)", "--epsilon must be a finite number > 0, got 0.0")
        }
        XCTAssertThrowsError(try mezo.set(flag: "--directions", values: ["many"])) { XCTAssertEqual("\($0)", "--directions needs a whole number, got \"many\"") }
        XCTAssertThrowsError(try mezo.set(flag: "--directions", values: ["5000"])) {
            XCTAssertEqual("\($0)", "--directions must be between 1 and 4096, got 5000")
        }
        // A subspace source is shared by two methods, each taking only its own.
        try pgap.set(flag: "--subspace-source", values: ["activations"])
        XCTAssertEqual((pgap.settings as? PGAP.Configuration)?.subspaceSource, .activations)
        XCTAssertThrowsError(try pgap.set(flag: "--subspace-source", values: ["random"])) {
            XCTAssertEqual("\($0)", "--subspace-source must be probes or activations for this method, got random")
        }
        var subzero = try MethodConfiguration.defaults(for: "subzero")
        XCTAssertThrowsError(try subzero.set(flag: "--subspace-source", values: ["probes"])) {
            XCTAssertEqual("\($0)", "--subspace-source must be random or activations for this method, got probes")
        }
        var dizo = MethodConfiguration.dizo()
        try dizo.set(flag: "--projected-tensors", values: ["q_proj.weight", "*.fc1.weight"])
        XCTAssertEqual((dizo.settings as? DiZO.Configuration)?.projectedTensors, ["q_proj.weight", "*.fc1.weight"])
    }

    func testConfigurationsRoundTripThroughJSON() throws {
        let pgap = MethodConfiguration.pgap(.init(probeEpsilon: 0.05, alignmentSchedule: .constant, sign: .perStep, directionScale: .none))
        XCTAssertEqual(try JSONDecoder().decode(MethodConfiguration.self, from: JSONEncoder().encode(pgap)), pgap)
        XCTAssertNotEqual(pgap, MethodConfiguration.pgap())
        XCTAssertNotEqual(MethodConfiguration.mezo(), MethodConfiguration.subzero())
        XCTAssertThrowsError(try MeZO(configuration: .init(directions: 0)).makeState(for: TrainableSet(arena: makeSmallArena()), runSeed: 0))
    }

    /// config.json written before settings had one name (`{"pgap": {"_0": {…}}}` with old keys) still
    /// decodes to the same settings, so old runs resume and replay.
    func testPreviousConfigurationFormatStillDecodes() throws {
        let old = """
            {"pgap":{"_0":{"alignment":1.5,"alignmentSchedule":"constant","directionScale":"subspace","lowRankEmbeddings":true,\
            "oversampling":10,"perturbationScale":0.002,"powerIterations":1,"probeCount":7,"probeScale":0.01,"rank":32,\
            "signMode":"step","weightDecay":0,"windowLength":50,"lowRankApplication":"factored"}}}
            """
        let decoded = try JSONDecoder().decode(MethodConfiguration.self, from: Data(old.utf8))
        XCTAssertEqual(decoded, .pgap(.init(
            epsilon: 0.002, rank: 32, window: 50, probes: 7, probeEpsilon: 0.01, alignment: 1.5, alignmentSchedule: .constant,
            sign: .perStep, lowRankApply: .factored)))
        let oldDiZO = """
            {"dizo":{"_0":{"directions":1,"perturbationScale":0.001,"projectedTensorPatterns":["self_attn.k_proj.weight"],\
            "projectionInterval":5,"projectionIterations":2,"projectionPerturbation":0.1,"projectionRadius":0.2,"projectionStepSize":2}}}
            """
        XCTAssertEqual(try JSONDecoder().decode(MethodConfiguration.self, from: Data(oldDiZO.utf8)), .dizo(.init(
            projectionInterval: 5, projectionIterations: 2, projectedTensors: ["self_attn.k_proj.weight"])))
    }
}
