import Features
import Posts
import Testing

/// Token strings of a text placed in the description.
private func tokens(_ text: String, field: PostField = .description) -> [String: Double] {
    var extractor = FeatureExtractor()
    var post = Post(id: "t:1")
    switch field {
    case .title: post.title = text
    case .description: post.description = text
    case .hashtags: post.hashtags = [text]
    case .captions: post.captions = [Cue(start: 1, end: 2, text: text)]
    }
    var sink = CollectingSink()
    extractor.extract(post, into: &sink)
    return sink.counts
}

private func evidence(_ text: String) -> [Evidence] {
    var extractor = FeatureExtractor()
    return extractor.evidence(in: Post(id: "t:1", description: text))
}

@Suite("Normalisation")
struct NormalisationTests {
    @Test("case, accents and full-width letters fold to plain lower case")
    func folding() {
        let t = tokens("CÓMO Pasar ＡＢＣ Niño")
        #expect(t["como"] == 1)
        #expect(t["pasar"] == 1)
        #expect(t["abc"] == 1)
        #expect(t["nino"] == 1)
        #expect(t["como pasar"] == 1)
    }

    @Test("zero-width and joiner characters do not split or hide words")
    func zeroWidth() {
        let t = tokens("co\u{200B}yo\u{200D}te w\u{2060}hatsapp")
        #expect(t["coyote"] == 1)
        #expect(t["__whatsapp__"] == 1)
    }

    @Test("letter runs of three or more collapse; doubles stay")
    func letterRuns() {
        let t = tokens("heeeelp cool")
        #expect(t["help"] == 1)
        #expect(t["cool"] == 1)
    }

    @Test("Traditional Chinese folds to Simplified")
    func traditional() {
        let t = tokens("過境說明")
        #expect(t["过"] == 1)
        #expect(t["说明"] == 1)
        #expect(t["過"] == nil)
    }

    @Test("Chinese gets character unigrams and bigrams without spaces")
    func cjk() {
        let t = tokens("走线攻略")
        #expect(t["走"] == 1 && t["线"] == 1 && t["攻"] == 1 && t["略"] == 1)
        #expect(t["走线"] == 1 && t["线攻"] == 1 && t["攻略"] == 1)
    }

    @Test("hashtags count whole and split at case changes")
    func hashtags() {
        let t = tokens("#CruzarLaFrontera", field: .hashtags)
        #expect(t["#cruzarlafrontera"] == 1)
        #expect(t["cruzar"] == 1 && t["la"] == 1 && t["frontera"] == 1)
        let inline = tokens("mira #ruta2024 ya")
        #expect(inline["#ruta2024"] == 1)
    }

    @Test("field weights multiply counts")
    func fieldWeights() {
        var config = FeatureExtractor.Configuration()
        config.titleWeight = 2.5
        var extractor = FeatureExtractor(configuration: config)
        var sink = CollectingSink()
        extractor.extract(Post(id: "t:1", title: "ruta", description: "ruta"), into: &sink)
        #expect(sink.counts["ruta"] == 3.5)
    }
}

@Suite("Contacts and prices")
struct PatternTests {
    @Test("phone numbers in international, spaced, dotted and full-width forms", arguments: [
        ("llama al +52 55 5555 0142", "+525555550142"),
        ("call 555.014.2299 now", "5550142299"),
        ("tel 5 5 5 0 1 4 2 2", "55501422"),
        ("whats ＋１ ５５５ ０１４ ２２９９", "+15550142299"),
        ("(55) 5555-0199 info", "5555550199"),
        ("5️⃣5️⃣5️⃣0️⃣1️⃣4️⃣2️⃣", "5550142"),
    ])
    func phones(text: String, expected: String) {
        let found = evidence(text).filter { $0.kind == .phone }
        #expect(found.map(\.value) == [expected])
    }

    @Test("digits written as words and Chinese numerals become numbers")
    func spelledDigits() {
        #expect(evidence("five five five zero one four two").first { $0.kind == .phone }?.value == "5550142")
        #expect(evidence("cinco cinco cinco cero uno cuatro dos").first { $0.kind == .phone }?.value == "5550142")
        #expect(evidence("电话 幺五五五零一四二二").first { $0.kind == .phone }?.value == "155501422")
        // Short runs stay words.
        #expect(tokens("one or two days")["one"] == 1)
    }

    @Test("messaging handles and links")
    func handles() {
        let e = evidence("wa.me/5215555550123 o t.me/ruta_demo o @viajes_demo, VX: coyote_demo 加V abc_demo")
        #expect(e.contains { $0.kind == .whatsapp && $0.value == "+5215555550123" })
        #expect(e.contains { $0.kind == .telegram && $0.value == "t.me/ruta_demo" })
        #expect(e.contains { $0.kind == .handle && $0.value == "@viajes_demo" })
        #expect(e.contains { $0.kind == .wechat && $0.value == "coyote_demo" })
        #expect(e.contains { $0.kind == .wechat && $0.value == "abc_demo" })
        let t = tokens("w h a t s a p p 纸飞机 微信号：lx_demo 私信 二维码 link in bio")
        #expect(t["__whatsapp__"] == 1)
        #expect(t["__telegram__"] == 1)
        #expect(t["__wechat_id__"] == 1)
        #expect(t["__dm__"] == 2)
        #expect(t["__qr__"] == 1)
    }

    @Test("prices with currencies and units", arguments: [
        ("solo $8,000 por persona", "8000 USD"),
        ("8 mil dólares", "8000 USD"),
        ("9,500 USD half now", "9500 USD"),
        ("price 8k", "8000"),
        ("只要1.5万美金", "15000 USD"),
        ("八万包过", "80000 CNY"),
        ("€ 3.000 cash", "3000 EUR"),
    ])
    func prices(text: String, expected: String) {
        let found = evidence(text).filter { $0.kind == .price }
        #expect(found.map(\.value) == [expected])
    }

    @Test("evidence points at the original text by scalar offsets")
    func ranges() throws {
        let text = "¡Cruzá ya! +52 55 5555 0142"
        let e = try #require(evidence(text).first { $0.kind == .phone })
        let scalars = Array(text.unicodeScalars)
        let covered = String(String.UnicodeScalarView(scalars[e.range[0]..<e.range[1]]))
        #expect(covered == "+52 55 5555 0142")
        #expect(e.text == covered)
    }

    @Test("years and small numbers are not phones")
    func notPhones() {
        #expect(evidence("from 2019 to 2023, 3 days and 40 km").isEmpty)
    }
}
