import Posts
import ReviewQueue
import Testing

@Suite("Contact redaction for exports")
struct ContactRedactorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let input: String
        let expected: String
        var testDescription: String { input }
    }

    static let cases: [Case] = [
        .init(input: "Llama al +52 555 555 0142 hoy", expected: "Llama al [redacted:phone] hoy"),
        .init(input: "call (555) 555-0142.", expected: "call [redacted:phone]."),
        .init(input: "tel 5555550142", expected: "tel [redacted:phone]"),
        .init(input: "+1-555-555-0199 or 555.555.0100", expected: "[redacted:phone] or [redacted:phone]"),
        .init(input: "escribe a wa.me/5215555550142 ya", expected: "escribe a [redacted:link] ya"),
        .init(input: "join https://t.me/cruce_demo!", expected: "join [redacted:link]!"),
        .init(input: "https://api.whatsapp.com/send?phone=5555550142", expected: "[redacted:link]"),
        .init(input: "DM @coyote_demo for info", expected: "DM [redacted:handle] for info"),
        .init(input: "mail guide_demo@example.com now", expected: "mail [redacted:email] now"),
        .init(input: "加微信: abc_demo123 详聊", expected: "加微信: [redacted:wechat] 详聊"),
        .init(input: "WeChat ID: snake_demo88", expected: "WeChat ID: [redacted:wechat]"),
        .init(input: "vx：tour_demo2024", expected: "vx：[redacted:wechat]"),
        // Kept: prices, dates, short numbers, ordinary words, CJK.
        .init(input: "Cost $1,500 on 2024-03-01 for 3 people", expected: "Cost $1,500 on 2024-03-01 for 3 people"),
        .init(input: "Ciudad Juárez 12:30, 01/03/2024", expected: "Ciudad Juárez 12:30, 01/03/2024"),
        .init(input: "wxyz waxed the 微笑 floor", expected: "wxyz waxed the 微笑 floor"),
        .init(input: "order ABC1234567", expected: "order ABC1234567"),
        .init(input: "", expected: ""),
    ]

    @Test(arguments: cases)
    func redacts(_ c: Case) {
        #expect(ContactRedactor().redact(c.input) == c.expected)
    }

    @Test func redactsEveryTextFieldAndDropsAuthor() {
        let post = Post(
            id: "test:1", author: Author(id: "u1", handle: "@someone_demo", name: "Someone"),
            title: "Call 555-555-0142", description: "wa.me/5555550142", hashtags: ["@tag_demo"],
            captions: [Cue(start: 0, end: 1, text: "t.me/demo_channel")])
        let redacted = ContactRedactor().redact(post)
        #expect(redacted.author == nil)
        #expect(redacted.title == "Call [redacted:phone]")
        #expect(redacted.description == "[redacted:link]")
        #expect(redacted.hashtags == ["[redacted:handle]"])
        #expect(redacted.captions[0].text == "[redacted:link]")
        #expect(redacted.id == post.id && redacted.url == post.url)
    }

    @Test func kinds() {
        #expect(ContactRedactor().kinds(in: "a@b.co, @demo_x, 555 555 0142, t.me/x_demo") == [.email, .handle, .phone, .link])
    }
}
