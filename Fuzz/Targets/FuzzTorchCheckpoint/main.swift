import FuzzSupport
import ZOFormats

/// A PyTorch zip checkpoint: the zip directory (`ZipArchive`), the restricted unpickler on `data.pkl`
/// (torch.save stores entries uncompressed, so mutations reach the pickle's bytes directly), the strided
/// views it describes (`TorchCheckpointFile`), then the dtype decoders.
LibFuzzer.run { input in
    guard let file = try? TorchCheckpointFile(file: .holding(input)) else { return }
    decodeSmallTensors(file.tensors)
}
