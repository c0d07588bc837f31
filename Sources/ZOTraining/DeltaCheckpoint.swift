import Foundation
import ZOFormats
import ZOTensor

/// The part of a checkpoint that only exists mid-window when a subspace estimator runs factored:
/// for each weight with a `LowRankDelta`, its stored (unfolded) values and the delta's U, V, M and
/// tag. `model.safetensors` holds the folded weights a user wants; this file is what makes resume
/// bit-exact, since W + U·M·Vᵀ cannot be split back into W and the delta.
public enum DeltaCheckpoint {
    public static let fileName = "low-rank-deltas.safetensors"

    /// Writes the deltas of `entries` (removes the file when there are none).
    public static func save(_ arena: WeightArena, entries: [ParameterEntry], in folder: URL) throws {
        let url = folder.appendingPathComponent(fileName)
        var tensors: [SafetensorsWriter.Tensor] = []
        var metadata: [String: String] = [:]
        for entry in entries {
            guard let delta = arena.index(of: entry.name).flatMap(arena.delta) else { continue }
            let (m, n, r) = (delta.rows, delta.columns, delta.rank)
            tensors += [
                .init(name: entry.name, shape: entry.shape, borrowing: UnsafeBufferPointer(arena.values(entry))),
                .init(name: entry.name + ":U", shape: [m, r], floats: delta.left),
                .init(name: entry.name + ":V", shape: [n, r], floats: delta.right),
                .init(name: entry.name + ":M", shape: [r, r], floats: delta.coefficients),
            ]
            metadata[entry.name] = String(delta.tag)
        }
        if tensors.isEmpty {
            try? FileManager.default.removeItem(at: url)
            return
        }
        try SafetensorsWriter().write(tensors, metadata: metadata, to: url)
    }

    /// Restores the stored values and deltas saved by `save`, if the folder has the file.
    public static func load(into arena: WeightArena, entries: [ParameterEntry], from folder: URL) throws {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let file = try SafetensorsFile(path: url.path)
        for entry in entries {
            guard let tagText = file.metadata[entry.name] else { continue }
            func tensor(_ suffix: String) throws -> StoredTensor {
                guard let tensor = file.tensor(named: entry.name + suffix) else {
                    throw TrainingError.corruptRun(path: url.path, reason: "\(entry.name)\(suffix) is missing")
                }
                return tensor
            }
            let u = try tensor(":U"), v = try tensor(":V"), m = try tensor(":M"), stored = try tensor("")
            let r = u.shape.last ?? 0
            guard let tag = Int(tagText), entry.shape.count == 2, r > 0, stored.shape == entry.shape,
                  u.shape == [entry.shape[0], r], v.shape == [entry.shape[1], r], m.shape == [r, r] else {
                throw TrainingError.corruptRun(path: url.path, reason: "the low-rank delta of \(entry.name) is malformed")
            }
            let delta = LowRankDelta(
                rows: entry.shape[0], columns: entry.shape[1], rank: r, left: try u.floats(), right: try v.floats(),
                tag: tag, coefficients: try m.floats())
            try stored.decodeAndRelease(into: arena.values(entry))
            arena.setDelta(delta, for: arena.index(of: entry.name)!)
        }
    }
}
