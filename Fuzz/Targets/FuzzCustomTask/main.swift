import Foundation
import FuzzSupport
import ZOTasks

/// A custom task (`CustomTask.load`): the input's NUL-separated parts are the spec and up to three
/// JSONL files it can name (`"data": "data.jsonl"`, or `"train"`, `"dev"`, `"test"`).
let files = ["task.spec.json", "data.jsonl", "dev.jsonl", "test.jsonl"]

LibFuzzer.run { input in
    let spec = FuzzFolder.write(input, as: files).appendingPathComponent(files[0])
    _ = try? CustomTask.load(specPath: spec.path, seed: 0, sizes: SplitSizes(train: 16, dev: 8, test: 8))
}
