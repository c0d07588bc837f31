import Foundation
import FuzzSupport
import ZOModels

/// An adapter file applied to a model (`AdapterFile.apply`): a llama.cpp LoRA GGUF when the input
/// starts with the GGUF magic, else a PEFT folder whose NUL-separated parts are `adapter_config.json`
/// and `adapter_model.safetensors` (LoRA, prompt or prefix tuning). The base is the tiny llama
/// fixture; an adapter that applies runs one forward pass, then is detached.
let model: LanguageModel = {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Tests/Fixtures/tiny-llama")
    do {
        return try LoadedModel.open(path: fixture.standardizedFileURL.path).model
    } catch {
        fatalError("the fuzz target needs Tests/Fixtures/tiny-llama: \(error)")
    }
}()
let files = ["adapter_config.json", "adapter_model.safetensors"]

LibFuzzer.run { input in
    let path: String
    if input.bytes.starts(with: Array("GGUF".utf8)) {
        let file = FuzzFolder.url.appendingPathComponent("adapter.gguf")
        try? Data(input.bytes).write(to: file)
        path = file.path
    } else {
        path = FuzzFolder.write(input, as: files).path
    }
    guard let adapter = try? AdapterFile.apply(path, to: model) else { return }
    _ = try? model.lastPositionLogits([model.virtualPrefix + [1, 2, 3]])
    adapter.detach(from: model.weights)
}
