public import Features
public import Posts

extension PostScore {
    /// Writes the score line of DESIGN.md: id, model, probability and decision per flag, and the
    /// evidence when there is any.
    public func write(to w: inout JSONWriter, model: String, flags: [String], logProbabilities: Bool = false) {
        w.beginObject()
        w.key("id"); w.string(id)
        w.key("model"); w.string(model)
        w.key("scores")
        w.beginObject()
        for (f, flag) in flags.enumerated() {
            w.key(flag); w.number(Scorer.probability(logOdds: logOdds[f]), digits: 4)
        }
        w.endObject()
        w.key("decision")
        w.beginObject()
        for (f, flag) in flags.enumerated() {
            w.key(flag); w.string(decisions[f].rawValue)
        }
        w.endObject()
        if logProbabilities {
            // Full precision [log P(not flag), log P(flag)], for parity checks against scikit-learn.
            w.key("log_proba")
            w.beginObject()
            for (f, flag) in flags.enumerated() {
                let lp = Scorer.logProbabilities(logOdds: logOdds[f])
                w.key(flag)
                w.beginArray()
                w.number(lp.negative)
                w.number(lp.positive)
                w.endArray()
            }
            w.endObject()
        }
        if !evidence.isEmpty {
            w.key("evidence")
            w.beginArray()
            for e in evidence { e.write(to: &w) }
            w.endArray()
        }
        w.endObject()
    }
}

extension Evidence {
    public func write(to w: inout JSONWriter) {
        w.beginObject()
        if let flag { w.key("flag"); w.string(flag) }
        w.key("kind"); w.string(kind.rawValue)
        w.key("text"); w.string(text)
        if let value, value != text { w.key("value"); w.string(value) }
        w.key("field"); w.string(field.rawValue)
        if let cue { w.key("cue"); w.int(cue) }
        if let cueStart { w.key("start"); w.number(cueStart, digits: 3) }
        w.key("range")
        w.beginArray()
        for r in range { w.int(r) }
        w.endArray()
        if let weight { w.key("weight"); w.number(weight, digits: 3) }
        w.endObject()
    }
}
