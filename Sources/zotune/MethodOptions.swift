import ArgumentParser
import ZOEstimators

/// `--method` and that method's own options. The options are not declared here: each method lists
/// its settings once (`EstimatorConfiguration.settings`), and they are read from the arguments the
/// parser leaves over, so that an option of another method (or a typo) is refused by name.
struct MethodOptions: ParsableArguments {
    @Option(name: .long, help: "Zeroth-order method: \(MethodRegistry.names.joined(separator: ", ")); its options are listed above.")
    var method: String = PGAP.name

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var methodArguments: [String] = []

    func validate() throws { _ = try configuration() }

    /// The method's defaults with the given options applied, each checked against its range.
    func configuration() throws -> MethodConfiguration {
        do {
            var configuration = try MethodConfiguration.defaults(for: method)
            var index = methodArguments.startIndex
            while index < methodArguments.endIndex {
                let argument = methodArguments[index]
                guard argument.hasPrefix("--") else { throw ValidationError("unexpected argument '\(argument)'.") }
                index += 1
                var flag = argument, values: [String] = []
                if let equals = argument.firstIndex(of: "=") {
                    flag = String(argument[..<equals])
                    values = [String(argument[argument.index(after: equals)...])]
                } else {
                    while index < methodArguments.endIndex, !methodArguments[index].hasPrefix("--") {
                        values.append(methodArguments[index])
                        index += 1
                    }
                }
                try configuration.set(flag: flag, values: values)
            }
            return configuration
        } catch let error as EstimatorError {
            throw ValidationError("\(error).")
        }
    }

    /// The methods and their options, for `zotune train --help`, in lines short enough that the help
    /// printer keeps them as they are.
    static var help: String {
        func section<Estimator: ConfigurableEstimator>(_ method: Estimator.Type) -> String {
            var lines = ["--method \(Estimator.name): \(Estimator.summary)"]
            for setting in MethodRegistry.help(of: method) {
                lines += wrapped("  \(setting.flag) <value>\(setting.takesList ? " …" : "")", then: setting.help, indent: 34)
            }
            return lines.joined(separator: "\n")
        }
        var sections: [String] = []
        for method in MethodRegistry.methods { sections.append(section(method)) }
        return "METHOD OPTIONS (only the chosen method's are accepted):\n\n" + sections.joined(separator: "\n\n")
    }

    /// Words of `text` filled into lines of at most 78 columns: the first starts with `head` padded to
    /// column `indent` (a longer `head` gets a line of its own), the others with `indent` spaces.
    private static func wrapped(_ head: String, then text: String, indent: Int) -> [String] {
        let margin = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = head.padding(toLength: max(indent, head.count), withPad: " ", startingAt: 0)
        if head.count >= indent { lines.append(head); line = margin }
        for word in text.split(separator: " ") {
            if line.count > indent, line.count + 1 + word.count > 78 { lines.append(line); line = margin }
            line += (line.count > indent ? " " : "") + word
        }
        lines.append(line)
        return lines
    }
}
