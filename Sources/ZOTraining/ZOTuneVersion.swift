/// The release of this package: recorded in every run's `config.json`, printed by `zotune --version`.
public enum ZOTuneVersion {
    public static let current = "0.1.0"
}
