public import Features
public import Posts

/// A post's scores: log-odds and probability per flag, the decisions, and (when explained) the
/// evidence behind them.
public struct PostScore: Sendable {
    public var id: String
    public var logOdds: [Double]
    public var decisions: [Decision]
    public var evidence: [Evidence]

    public init(id: String, logOdds: [Double], decisions: [Decision], evidence: [Evidence] = []) {
        self.id = id
        self.logOdds = logOdds
        self.decisions = decisions
        self.evidence = evidence
    }
}

extension Scorer {
    /// Scores a post and explains each flag that is not `clear`: the features that added most to
    /// its log-odds, pointed back at the text (field, caption cue and time, range), plus every
    /// contact and price found.
    public func explain(
        _ post: Post, model: NaiveBayesModel, extractor: inout FeatureExtractor, top: Int = 5
    ) -> PostScore {
        var sink = ExplainingSink(scorer: self, sums: bias)
        extractor.extract(post, into: &sink)
        let decisions = flags.enumerated().map { f, flag in model.decision(for: flag, logOdds: sink.sums[f]) }
        var evidence: [Evidence] = []
        for (f, flag) in flags.enumerated() where decisions[f] != .clear {
            var ranked: [(feature: Int, contribution: Double, origin: TokenOrigin)] = []
            for (feature, seen) in sink.seen {
                let contribution: Double = seen.count * weight(feature: feature, flag: f)
                if contribution > 0 { ranked.append((feature, contribution, seen.origin)) }
            }
            ranked.sort { a, b in
                a.contribution != b.contribution ? a.contribution > b.contribution : a.feature < b.feature
            }
            for item in ranked.prefix(top) {
                evidence.append(
                    Self.evidence(
                        in: post, origin: item.origin, kind: .phrase, flag: flag, weight: item.contribution,
                        token: vocabulary.token(item.feature)))
            }
        }
        evidence.append(contentsOf: sink.contacts)
        return PostScore(id: post.id, logOdds: sink.sums, decisions: decisions, evidence: evidence)
    }

    /// Evidence for a token occurrence, with the original text it covers.
    static func evidence(
        in post: Post, origin: TokenOrigin, kind: Evidence.Kind, flag: String?, weight: Double?, token: String
    ) -> Evidence {
        let text: String
        var cueStart: Double?
        switch origin.field {
        case .title: text = post.title ?? ""
        case .description: text = post.description ?? ""
        case .hashtags: text = post.hashtags[Int(origin.index)]
        case .captions:
            text = post.captions[Int(origin.index)].text
            cueStart = post.captions[Int(origin.index)].start
        }
        let utf8 = Array(text.utf8)
        let start = Int(origin.start)
        let end = Int(origin.end)
        let scalarStart = utf8[..<start].reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) }
        let scalarEnd = scalarStart + utf8[start..<end].reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) }
        return Evidence(
            kind: kind, value: token, text: String(decoding: utf8[start..<end], as: UTF8.self), field: origin.field,
            cue: origin.field == .captions ? Int(origin.index) : nil, cueStart: cueStart, range: [scalarStart, scalarEnd],
            flag: flag, weight: weight)
    }
}

/// Sums log-odds like `ScoringSink`, and remembers each known feature's count and first place.
struct ExplainingSink: TokenSink {
    let scorer: Scorer
    var sums: [Double]
    var seen: [Int: (count: Double, origin: TokenOrigin)] = [:]
    var contacts: [Evidence] = []

    var wantsEvidence: Bool { true }

    mutating func add(_ hash: UInt64, weight: Double, origin: TokenOrigin, text: @autoclosure () -> String) {
        guard let i = scorer.vocabulary.index(of: hash) else { return }
        for f in 0..<sums.count { sums[f] += weight * scorer.weight(feature: i, flag: f) }
        if let s = seen[i] {
            seen[i] = (s.count + weight, s.origin)
        } else {
            seen[i] = (weight, origin)
        }
    }

    mutating func evidence(_ e: Evidence) { contacts.append(e) }
}
