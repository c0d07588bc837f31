import Foundation
import ZOFormats
import ZOTensor
import ZOTokenizers

/// Builds an `EncoderModel` from a Hugging Face folder or a llama.cpp `bert` GGUF file, strictly
/// (`WeightLoading`), and decides its head from what the checkpoint holds:
/// - a masked-LM head (`cls.predictions.*`, `lm_head.*`) → `.maskedLanguageModel`, with the mask id of
///   the folder's tokenizer;
/// - else a stored `classifier.weight` → that classifier;
/// - else a new classifier of `options.classifierLabels` labels (the task's candidate count), or the
///   config's `id2label` count, or 2 (transformers' default), initialised by `initialiseClassifier`.
/// A classifier pools as the checkpoint says (`EncoderPooling`): a sentence-transformers Pooling
/// module or GGUF `pooling_type` first, else the pooler when the weights have one, else [CLS].
enum EncoderLoading {
    static func load(_ checkpoint: HuggingFaceCheckpoint, variant: EncoderVariant) throws -> EncoderModel {
        try refuseNarrowBase(checkpoint.options, source: checkpoint.folder)
        let configuration = try EncoderConfiguration(
            checkpoint.decodeConfig(CommonConfigSizes.self), checkpoint.decodeConfig(EncoderConfigFile.self),
            positionsFollowPadding: variant.positionsFollowPadding,
            source: checkpoint.configPath)
        let tensors = checkpoint.tensors
        let prefix = tensors.keys.contains { $0.hasPrefix(variant.headedPrefix) } ? variant.headedPrefix : ""
        let (head, poolingSource) = try self.head(checkpoint, variant: variant, prefix: prefix, configuration: configuration)
        let model = try build(
            configuration, variant: variant, prefix: prefix, head: head, from: tensors, source: checkpoint.folder,
            layerCountKey: "num_hidden_layers", newClassifier: tensors["classifier.weight"] == nil
        ) { isIgnorable($0, variant: variant, prefix: prefix, head: head, configuration: configuration) }
        model.poolingSource = poolingSource
        return model
    }

    /// llama.cpp's `bert` GGUF (convert_hf_to_gguf.py's BertModel): base-model tensors only (no pooler,
    /// no head), so the model gets a new classifier pooled as `bert.pooling_type` says, else over [CLS].
    static func load(gguf: GGUFFile, options: ModelLoadOptions) throws -> EncoderModel {
        try refuseNarrowBase(options, source: gguf.path)
        try TokenizerLoader.checkSupported(gguf: gguf)
        let metadata = GGUFMetadataReader(gguf)
        let configuration = try EncoderConfiguration.fromGGUF(metadata)
        let poolingKey = "\(metadata.architecture).pooling_type"
        let poolingType = try metadata.optionalInt("pooling_type")
        let pooling = try EncoderPooling.gguf(poolingType: poolingType, metadata: metadata)
        let labels = try newClassifierLabels(requested: options.classifierLabels, configured: nil, source: gguf.path)
        let tensors = try GGUFTensorNames.bert.huggingFaceTensors(of: gguf)
        let model = try GGUFTensorNames.bert.namingFileTensors {
            try build(
                configuration, variant: .bert, prefix: "", head: .classifier(labels: labels, pooling: pooling ?? .cls),
                from: tensors, source: gguf.path, layerCountKey: metadata.layerCountKey, newClassifier: true) { _ in false }
        }
        if pooling != nil, let poolingType { model.poolingSource = "\(poolingKey) = \(poolingType)" }
        return model
    }

    /// Checks the tensors against the layout (`WeightLoading.check`), then builds the model and fills its
    /// arena strictly, leaving a new classifier to `initialiseClassifier`.
    private static func build(
        _ configuration: EncoderConfiguration, variant: EncoderVariant, prefix: String, head: EncoderHead,
        from tensors: [String: StoredTensor], source: String, layerCountKey: String, newClassifier: Bool,
        ignoring isIgnorable: @escaping (String) -> Bool
    ) throws -> EncoderModel {
        let newClassifier = newClassifier && head.isClassifier
        let weights = WeightLoading(
            tensors: tensors, source: source, layerCountKey: layerCountKey, isIgnorable: isIgnorable,
            initialisedByModel: newClassifier ? ["classifier.weight", "classifier.bias"] : [])
        try weights.check(EncoderModel.parameterSpecs(for: configuration, variant: variant, prefix: prefix, head: head))
        let model = EncoderModel(configuration: configuration, variant: variant, prefix: prefix, head: head)
        try weights.fill(model.weights)
        if newClassifier { model.initialiseClassifier() }
        return model
    }

    /// The head, and the file that chose a classifier's pooling (nil when the weights decided it).
    private static func head(
        _ checkpoint: HuggingFaceCheckpoint, variant: EncoderVariant, prefix: String, configuration: EncoderConfiguration
    ) throws -> (EncoderHead, String?) {
        if checkpoint.tensors[variant.transform + ".weight"] != nil {
            let tokenizer = try TokenizerLoader.load(folder: URL(fileURLWithPath: checkpoint.folder))
            guard let mask = tokenizer.specialTokenIDs.mask else {
                throw ModelError.invalidConfiguration(
                    source: checkpoint.folder, reason: "the masked-LM head needs a mask token, and its tokenizer has none")
            }
            return (.maskedLanguageModel(maskTokenID: mask), nil)
        }
        let declared = try EncoderPooling.sentenceTransformers(folder: URL(fileURLWithPath: checkpoint.folder))
        let pooling = declared?.pooling ?? (checkpoint.tensors[prefix + "pooler.dense.weight"] != nil ? .pooler : .cls)
        let requested = checkpoint.options.classifierLabels
        if let stored = checkpoint.tensors["classifier.weight"] {
            let labels = stored.shape.first ?? 0
            if let requested, requested != labels {
                throw ModelError.invalidConfiguration(
                    source: checkpoint.folder, reason: "its classifier has \(labels) labels but the task has \(requested) candidates")
            }
            return (.classifier(labels: labels, pooling: pooling), declared?.source)
        }
        let labels = try newClassifierLabels(
            requested: requested, configured: configuration.labelCount, source: checkpoint.folder)
        return (.classifier(labels: labels, pooling: pooling), declared?.source)
    }

    /// A new classifier's size: the task's candidate count, else the checkpoint's label count, else 2.
    private static func newClassifierLabels(requested: Int?, configured: Int?, source: String) throws -> Int {
        let labels = requested ?? configured ?? 2
        guard labels > 0 else {
            throw ModelError.invalidConfiguration(source: source, reason: "a classifier needs at least one label")
        }
        return labels
    }

    /// Buffers (`position_ids`, `token_type_ids`), modules no ZOTune head reads (BERT's next-sentence
    /// head; the pooler under a masked-LM head or a classifier that pools otherwise), and the MLM
    /// decoder's copies of tied tensors.
    private static func isIgnorable(
        _ name: String, variant: EncoderVariant, prefix: String, head: EncoderHead, configuration: EncoderConfiguration
    ) -> Bool {
        if name.hasSuffix("embeddings.position_ids") || name.hasSuffix("embeddings.token_type_ids") { return true }
        if variant.unusedModules.contains(where: { name.hasPrefix($0) }) { return true }
        switch head {
        case let .classifier(_, pooling):
            return pooling != .pooler && name.hasPrefix(prefix + "pooler.")
        case .maskedLanguageModel:
            return name.hasPrefix(prefix + "pooler.") || name == variant.decoder + ".bias"
                || (configuration.tieWordEmbeddings && name == variant.decoder + ".weight")
        }
    }

    /// A bfloat16 base is built for the decoders' forward; encoders keep fp32.
    private static func refuseNarrowBase(_ options: ModelLoadOptions, source: String) throws {
        guard options.basePrecision == .float32 || options.basePrecisionIsDefault else {
            throw ModelError.invalidConfiguration(
                source: source, reason: "a \(options.basePrecision.rawValue) base is implemented for decoders; encoders load in f32")
        }
    }
}

extension EncoderHead {
    var isClassifier: Bool {
        if case .classifier = self { return true }
        return false
    }

}
