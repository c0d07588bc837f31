import Foundation
import XCTest
import ZOEstimators
import ZOTensor

/// The seed log and checkpoints reproduce training byte for byte, for every method:
/// - replay: N steps with a real oracle (one of them skipped by a NaN loss), then the records
///   replayed from the initial weights without any forward pass → identical arena (memcmp);
/// - resume: N steps, JSON-encode the state and copy the arena, decode, N more steps → identical
///   to 2N straight steps;
/// - a NaN loss skips the step and restores the weights to within ≤ 1.5 ulp (rounding of the
///   +εz/−2εz/+εz sweeps; not bit-exact: see the report), and replay still matches exactly.
final class ReplayAndResumeTests: XCTestCase {
    let runSeed: UInt64 = 0x5EED
    let totalSteps = 12

    func context(_ step: Int) -> StepContext {
        StepContext(step: step, totalSteps: totalSteps, learningRate: 2e-3, runSeed: runSeed)
    }

    /// A fresh arena + trainable set with DiZO-style anchors taken from the initial values.
    func makeParameters<E: ZerothOrderEstimator>(_ estimator: E, initial: WeightArena? = nil) -> TrainableSet {
        let arena = makeSmallArena()
        if let initial { copyArena(initial, into: arena) } else { fillArena(arena, seed: 11) }
        let parameters = TrainableSet(arena: arena)
        setAnchors(estimator, parameters)
        return parameters
    }

    // MARK: Replay

    func checkReplay<E: ZerothOrderEstimator>(_ estimator: E, file: StaticString = #filePath, line: UInt = #line) throws {
        let parameters = makeParameters(estimator)
        let initial = makeSmallArena()
        copyArena(parameters.arena, into: initial)
        let oracle = QuadraticOracle(parameters: parameters, seed: 3)
        oracle.batchShift = 0.01
        var state = try estimator.makeState(for: parameters, runSeed: runSeed)
        var records: [StepRecord] = []
        for step in 0..<totalSteps {
            // Step 7's second loss (L₋ of its direction; at window starts the probes come first) is NaN.
            if step == 7 { oracle.nonFiniteAtCalls = [oracle.calls + 1] }
            let outcome = try estimator.step(parameters, state: &state, context: context(step), oracle: oracle)
            records.append(outcome.record)
        }
        XCTAssertEqual(records.filter(\.skipped).map(\.step), [7], "\(E.name)", file: file, line: line)
        // The records survive a JSON round trip (the seed log is JSONL).
        let decoded = try records.map { try JSONDecoder().decode(StepRecord.self, from: JSONEncoder().encode($0)) }
        XCTAssertEqual(decoded, records, file: file, line: line)

        let replayed = makeParameters(estimator, initial: initial)
        var replayState = try estimator.makeState(for: replayed, runSeed: runSeed)
        for record in decoded {
            try estimator.replay(record, parameters: replayed, state: &replayState, context: context(record.step))
        }
        let same = memcmp(replayed.arena.storage.pointer, parameters.arena.storage.pointer, parameters.arena.storage.count * 4) == 0
        XCTAssertTrue(same, "\(E.name): replayed arena differs", file: file, line: line)
        XCTAssertNotEqual(arenaBytes(initial), arenaBytes(parameters.arena), file: file, line: line)
    }

    func testMeZOReplayIsByteExact() throws { try checkReplay(TestEstimators.mezo(directions: 2, weightDecay: 0.1)) }
    func testSubZeroReplayIsByteExact() throws { try checkReplay(TestEstimators.subZero(weightDecay: 0.1)) }
    func testDiZOReplayIsByteExact() throws { try checkReplay(TestEstimators.diZO()) }
    func testPGAPReplayIsByteExact() throws { try checkReplay(TestEstimators.pgap(weightDecay: 0.1)) }
    func testFZOOReplayIsByteExact() throws { try checkReplay(TestEstimators.fzoo()) }
    func testZOMuonReplayIsByteExact() throws {
        try checkReplay(TestEstimators.zoMuon())
        try checkReplay(TestEstimators.zoMuon(directions: 3))
    }
    func testPGAPCosineAlignmentReplayIsByteExact() throws { try checkReplay(TestEstimators.pgap(cosine: 0.3)) }

    // MARK: Resume

    func checkResume<E: ZerothOrderEstimator>(_ estimator: E, file: StaticString = #filePath, line: UInt = #line) throws {
        let half = totalSteps / 2
        let initial = makeSmallArena()
        fillArena(initial, seed: 11)

        // 2N straight.
        let straight = makeParameters(estimator, initial: initial)
        let straightOracle = QuadraticOracle(parameters: straight, seed: 3)
        straightOracle.batchShift = 0.01
        var straightState = try estimator.makeState(for: straight, runSeed: runSeed)
        for step in 0..<totalSteps {
            _ = try estimator.step(straight, state: &straightState, context: context(step), oracle: straightOracle)
        }

        // N steps, checkpoint, N more from the checkpoint in a new arena.
        let first = makeParameters(estimator, initial: initial)
        let firstOracle = QuadraticOracle(parameters: first, seed: 3)
        firstOracle.batchShift = 0.01
        var state = try estimator.makeState(for: first, runSeed: runSeed)
        for step in 0..<half {
            _ = try estimator.step(first, state: &state, context: context(step), oracle: firstOracle)
        }
        let checkpoint = try JSONEncoder().encode(state)
        let resumedArena = makeSmallArena()
        copyArena(first.arena, into: resumedArena)
        let resumed = TrainableSet(arena: resumedArena)
        for tensor in estimator.anchorTensors(in: resumed) {  // anchors come from the base model
            resumed.setAnchor(tensor, values: initial.pointer(tensor.entry))
        }
        let resumedOracle = QuadraticOracle(parameters: resumed, seed: 3)
        resumedOracle.batchShift = 0.01
        resumedOracle.batch = firstOracle.batch
        var resumedState = try JSONDecoder().decode(E.State.self, from: checkpoint)
        for step in half..<totalSteps {
            _ = try estimator.step(resumed, state: &resumedState, context: context(step), oracle: resumedOracle)
        }
        let same = memcmp(resumedArena.storage.pointer, straight.arena.storage.pointer, resumedArena.storage.count * 4) == 0
        XCTAssertTrue(same, "\(E.name): resumed arena differs from the straight run", file: file, line: line)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(
            String(decoding: try encoder.encode(resumedState), as: UTF8.self),
            String(decoding: try encoder.encode(straightState), as: UTF8.self), file: file, line: line)
    }

    func testMeZOResumeIsByteExact() throws { try checkResume(TestEstimators.mezo(directions: 3, weightDecay: 0.1)) }
    func testSubZeroResumeIsByteExact() throws { try checkResume(TestEstimators.subZero()) }
    func testDiZOResumeIsByteExact() throws { try checkResume(TestEstimators.diZO()) }
    func testPGAPResumeIsByteExact() throws { try checkResume(TestEstimators.pgap()) }
    func testFZOOResumeIsByteExact() throws { try checkResume(TestEstimators.fzoo()) }
    func testZOMuonResumeIsByteExact() throws {
        try checkResume(TestEstimators.zoMuon())
        try checkResume(TestEstimators.zoMuon(directions: 3))
    }

    // MARK: Non-finite losses

    func checkSkip<E: ZerothOrderEstimator>(_ estimator: E, atCall offset: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let parameters = makeParameters(estimator)
        let oracle = QuadraticOracle(parameters: parameters, seed: 3)
        var state = try estimator.makeState(for: parameters, runSeed: runSeed)
        for step in 0..<3 {
            _ = try estimator.step(parameters, state: &state, context: context(step), oracle: oracle)
        }
        let before = flatValues(parameters)
        oracle.nonFiniteAtCalls = [oracle.calls + offset]
        let outcome = try estimator.step(parameters, state: &state, context: context(3), oracle: oracle)
        XCTAssertTrue(outcome.record.skipped, "\(E.name)", file: file, line: line)
        XCTAssertTrue(outcome.record.gradients.allSatisfy { $0 == 0 }, "\(outcome.record.gradients)", file: file, line: line)
        let after = flatValues(parameters)
        var worstUlps: Float = 0, exact = 0
        for (b, a) in zip(before, after) {
            if a == b { exact += 1 }
            worstUlps = max(worstUlps, abs(a - b) / b.ulp)
        }
        print("\(E.name): NaN at call +\(offset) → skipped; \(exact)/\(before.count) weights bit-identical, worst \(worstUlps) ulp")
        XCTAssertLessThanOrEqual(worstUlps, 1.5, file: file, line: line)
    }

    func testNonFiniteLossSkipsTheStepAndRestoresTheWeights() throws {
        try checkSkip(TestEstimators.mezo(), atCall: 0)
        try checkSkip(TestEstimators.mezo(), atCall: 1)
        try checkSkip(TestEstimators.subZero(), atCall: 0)
        try checkSkip(TestEstimators.diZO(), atCall: 1)
        try checkSkip(TestEstimators.pgap(), atCall: 1)
        try checkSkip(TestEstimators.fzoo(), atCall: 0)
        try checkSkip(TestEstimators.fzoo(), atCall: 1)
        try checkSkip(TestEstimators.fzoo(), atCall: 4)
        try checkSkip(TestEstimators.zoMuon(), atCall: 1)
        try checkSkip(TestEstimators.zoMuon(directions: 3), atCall: 2)
        try checkSkip(TestEstimators.zoMuon(directions: 3), atCall: 0)
    }
}
