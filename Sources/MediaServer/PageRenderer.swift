import Foundation
import HTTPTypes
import MediaCore
import Mustache

/// The HTML pages' templates (`Resources/templates/*.mustache`), parsed once at start.
///
/// Every value reaches a page through `{{ }}`, which HTML-escapes it; no template uses `{{{ }}}`
/// (a test checks that), so a file name or a prompt such as `<script>…` is shown, never run.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// Loads the templates from the target's resources.
    /// - Throws: when a template does not parse (a broken build).
    init() throws {
        var library = MustacheLibrary()
        for name in ["layout-top", "layout-bottom", "index", "asset", "branch", "error", "lineage"] {
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Resources/templates")
                    ?? Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "templates") else {
                throw TemplateMissing(name: name)
            }
            try library.register(String(contentsOf: url, encoding: .utf8), named: name)
        }
        self.library = library
    }

    struct TemplateMissing: Error, CustomStringConvertible {
        var name: String
        var description: String { "the page template \(name).mustache is missing from the MediaServer resources" }
    }

    func render(_ model: Any, template: String) -> String {
        library.render(model, withTemplate: template) ?? ""
    }

    /// A failure as a page: its status, code and message.
    func errorPage(_ failure: HTTPFailure) -> String {
        struct ErrorPage {
            var page: PageChrome
            var status: Int
            var code: String
            var message: String
            var subject: String
        }
        return render(ErrorPage(page: PageChrome(title: "\(failure.status.code) \(failure.status.reasonPhrase)", library: ""),
                                status: failure.status.code, code: failure.code.rawValue, message: failure.message,
                                subject: failure.subject), template: "error")
    }
}

/// What every page's frame shows: its title and the library's name.
struct PageChrome {
    var title: String
    var library: String
}
