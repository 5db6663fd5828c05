import ArgumentParser
import Bayes
import Foundation
import Posts
import ReviewQueue

extension SmuggleWatch {
    /// `smugglewatch retrain [--promote] [--incremental]`: a candidate from fixtures plus reviewed
    /// labels, measured against the current model on the same held-out posts.
    struct Retrain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a candidate from the fixture corpus plus reviewed labels and compare it with the current model.",
            discussion: """
                Training: the fixture train split plus the store's reviewed posts (the latest label per post wins; \
                a reviewed post replaces a fixture post with the same id). Held out, never learned: the fixture \
                test split plus the newest --holdout share of reviewed labels. The candidate gets the current \
                model's configuration (kind, α, priors, binary counts, field weights), is saved as the next \
                version in the registry, and with --promote becomes current only when macro-F1 drops by at most \
                --tolerance and each flag's precision stays at or above its --precision-floor.
                --incremental starts from the current model's counts and un-learns / learns only the posts whose \
                label (or training membership) changed; the counts equal a full rebuild, the thresholds stay.
                Example: smugglewatch retrain --db queue.sqlite --promote --precision-floor contact=0.85
                """)

        @Flag(help: "Make the candidate current when the gates pass; otherwise exit 1 saying which gate failed.")
        var promote = false

        @Flag(help: "Refresh the current model's counts instead of rebuilding (falls back to a rebuild when it cannot).")
        var incremental = false

        @Option(name: .long, parsing: .upToNextOption, help: "Fixture train split (labelled post JSONL).")
        var fixturesTrain: [String] = ["Fixtures/corpus/train.jsonl"]

        @Option(name: .long, parsing: .upToNextOption, help: "Fixture test split, always held out.")
        var fixturesTest: [String] = ["Fixtures/corpus/test.jsonl"]

        @Option(help: "Share of reviewed labels, newest first by label time, held out for evaluation.")
        var holdout = 0.2

        @Option(help: "Largest macro-F1 drop (candidate vs current) that still promotes.")
        var tolerance = 0.01

        @Option(
            name: .long, parsing: .singleValue,
            help: ArgumentHelp("Precision floor, FLAG=P for one flag or P for every flag (default 0.8); repeatable.", valueName: "flag=p"))
        var precisionFloor: [String] = []

        @Option(help: "Fewest positive training posts a flag needs.")
        var minPositives = 20

        @Option(help: "Refuse when a flag's positive share is below this or above 1 minus this.")
        var minShare = 0.01

        @Option(help: "Cross-validation folds for the candidate's thresholds (full rebuild).")
        var folds = 5

        @Option(help: "Precision the flag threshold aims for (full rebuild).")
        var targetPrecision = 0.90

        @Option(help: "Share of positives kept out of 'clear' (full rebuild).")
        var targetRecall = 0.98

        @OptionGroup var store: StoreOptions
        @OptionGroup var registryOptions: RegistryOptions
        @OptionGroup var actor: ActorOption
        @OptionGroup var reading: InputOptions

        func validate() throws {
            guard (0..<1).contains(holdout) else { throw ValidationError("--holdout is a share from 0 up to (not including) 1 (got \(holdout)).") }
            guard tolerance >= 0 else { throw ValidationError("--tolerance must be 0 or more (got \(tolerance)).") }
            guard minPositives >= 1 else { throw ValidationError("--min-positives must be at least 1.") }
            guard (0..<0.5).contains(minShare) else { throw ValidationError("--min-share is a share below 0.5 (got \(minShare)).") }
            guard folds == 0 || folds >= 2 else { throw ValidationError("--folds must be 0 or at least 2.") }
            _ = try gates()
        }

        func gates() throws -> PromotionGates {
            var g = PromotionGates(tolerance: tolerance)
            for item in precisionFloor {
                let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 1, let p = Double(kv[0]), (0...1).contains(p) {
                    g.defaultFloor = p
                } else if kv.count == 2, !kv[0].isEmpty, let p = Double(kv[1]), (0...1).contains(p) {
                    g.precisionFloors[kv[0]] = p
                } else {
                    throw ValidationError("--precision-floor: '\(item)' is not FLAG=P or P with P between 0 and 1, e.g. contact=0.85.")
                }
            }
            return g
        }

        func readPosts(_ paths: [String]) throws -> [Post] {
            var posts: [Post] = []
            let reader = reading.reader()
            for path in paths {
                let s = try reader.forEachPost(in: path) { posts.append($0) }
                InputOptions.reportSkipped(s.skipped, of: s.posts)
            }
            return posts
        }

        func run() async throws {
            let who = actor.resolved
            let registry = try registryOptions.seededRegistry(actor: who)
            guard let currentVersion = try registry.state().current, let currentFolder = try registry.currentFolder() else {
                throw RegistryError(
                    "the model registry '\(registry.root)' has no current model and there is no \(RegistryOptions.bundledModel) to seed it from. Promote one with 'smugglewatch models promote NAME@N'.")
            }
            let current = try ModelFile.load(currentFolder)
            let currentCard = registry.card(for: currentVersion)

            let fixtureTrain = try readPosts(fixturesTrain)
            let fixtureTest = try readPosts(fixturesTest)
            var reviewed: [ReviewedExample] = []
            let location = try await store.withStore { s in
                try await s.forEachLabelledPost { item in
                    reviewed.append(
                        ReviewedExample(
                            post: item.post.post, flags: item.label.flags, labelID: item.label.id, labelledAt: item.label.createdAt,
                            contentHash: item.post.contentHash))
                }
                return s.location
            }
            let plan = RetrainingPlan(
                fixtureTrain: fixtureTrain, fixtureTest: fixtureTest, reviewed: reviewed, holdoutShare: holdout,
                fixtureFiles: fixturesTrain)
            print(
                "training data: \(plan.fixtureTraining) fixture posts + \(plan.reviewedTraining) reviewed posts (of \(reviewed.count) reviewed; \(plan.overriddenFixtures) replace fixture posts)")
            print("held out:      \(plan.fixtureHeldOut) fixture test posts + \(plan.reviewedHeldOut) newest reviewed posts = \(plan.heldOut.count)")

            let problems = TrainingGuards(minPositives: minPositives, minShare: minShare).problems(in: plan.training, flags: current.flags)
            guard problems.isEmpty else {
                throw RetrainError("not training: " + problems.joined(separator: "; ") + ". Label more posts or change the limit.")
            }

            // The candidate: refreshed counts, or a rebuild with the current configuration.
            var candidate: NaiveBayesModel?
            var summary = Training.Summary()
            var refreshedFrom: String?
            if incremental {
                let old = try registry.manifest(for: currentVersion)
                    ?? TrainingManifest.fixturesOnly(files: currentCard?.trainingFiles ?? [], dataHash: currentCard?.trainingDataHash ?? "")
                let byID = Dictionary(reviewed.map { ($0.post.id, $0) }) { a, _ in a }
                do {
                    let refresh = try IncrementalRefresh(model: current, old: old, plan: plan, fixtureTrain: fixtureTrain, reviewed: byID)
                    candidate = refresh.model
                    var hasher = Training.DataHasher()
                    for p in plan.training { hasher.add(id: p.id, labels: p.labels ?? []) }
                    summary.posts = plan.training.count
                    summary.dataHash = hasher.value
                    refreshedFrom = currentVersion.description
                    print(
                        "refreshed \(currentVersion)'s counts: \(refresh.relabelled) relabelled, \(refresh.learned) learned, \(refresh.unlearned) un-learned (thresholds kept)")
                } catch {
                    print("cannot refresh \(currentVersion) incrementally: \(error); rebuilding instead")
                }
            }
            if candidate == nil {
                var training = Training()
                training.configuration = current.configuration
                training.folds = folds
                training.targetPrecision = targetPrecision
                training.targetRecall = targetRecall
                let (model, s) = try training.train(posts: plan.training, describe: "the retraining data")
                candidate = model
                summary = s
            }
            let model = candidate!

            let currentReport = current.evaluate(current.scoredExamples(plan.heldOut))
            let candidateReport = model.evaluate(model.scoredExamples(plan.heldOut))

            var card = ModelCard(
                name: currentVersion.name, version: 0, model: model, files: fixturesTrain + ["store:\(location)"], summary: summary,
                heldOut: ModelCard.Metrics(
                    source: "\(fixturesTest.joined(separator: ", ")) + newest \(plan.reviewedHeldOut) reviewed labels", report: candidateReport))
            card.lastLabelID = plan.manifest.lastLabelID
            card.lastLabelAt = plan.manifest.lastLabelAt.map { ISO8601DateFormatter().string(from: $0) }
            card.reviewedPosts = plan.reviewedTraining
            card.refreshedFrom = refreshedFrom
            let saved = try registry.save(
                model, card: card, manifest: plan.manifest, actor: who, note: incremental && refreshedFrom != nil ? "retrain --incremental" : "retrain")

            print("")
            print(Self.table(current: (currentVersion.description, currentReport), candidate: (saved.description, candidateReport)))
            print("")
            let checks = try gates().checks(candidate: candidateReport, current: currentReport)
            for c in checks { print("gate \(c.passed ? "pass" : "FAIL"): \(c.text)") }
            let failed = checks.filter { !$0.passed }
            print("saved the candidate as \(saved) in \(registry.root)")
            guard promote else {
                print(
                    failed.isEmpty
                        ? "not promoted (no --promote): run 'smugglewatch models promote \(saved)' to use it"
                        : "not promoted (no --promote); \(failed.count) gate\(failed.count == 1 ? "" : "s") would fail")
                return
            }
            guard failed.isEmpty else {
                throw RetrainError(
                    "not promoted: " + failed.map(\.text).joined(separator: "; ")
                        + ". \(currentVersion) stays current; \(saved) is kept in the registry (promote it by hand with 'smugglewatch models promote \(saved)' if you accept it).")
            }
            try registry.promote(saved, actor: who, note: "retrain gates passed: macro-F1 \(String(format: "%.3f", candidateReport.macroF1)) vs \(String(format: "%.3f", currentReport.macroF1))")
            try await store.withStore { s in try await s.registerModel(version: saved.description, flags: model.flags) }
            print("promoted \(saved) (was \(currentVersion)); predictions now record \(saved)")
        }

        /// Per-flag precision / recall / F1, macro-F1 and hard negatives flagged, side by side.
        static func table(current: (String, EvaluationReport), candidate: (String, EvaluationReport)) -> String {
            func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "  -  " }
            func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
            var flags = current.1.flags.map(\.flag)
            for m in candidate.1.flags where !flags.contains(m.flag) { flags.append(m.flag) }
            var lines = [
                "on \(candidate.1.examples) held-out posts",
                pad("", 16) + pad("current \(current.0)", 26) + "candidate \(candidate.0)",
                pad("flag", 16) + pad("P      R      F1", 26) + "P      R      F1",
            ]
            for flag in flags {
                let a = current.1.flags.first { $0.flag == flag }
                let b = candidate.1.flags.first { $0.flag == flag }
                lines.append(
                    pad(flag, 16) + pad("\(f(a?.precision))  \(f(a?.recall))  \(f(a?.f1))", 26) + "\(f(b?.precision))  \(f(b?.recall))  \(f(b?.f1))")
            }
            let delta = candidate.1.macroF1 - current.1.macroF1
            lines.append(pad("macro-F1", 16) + pad(f(current.1.macroF1), 26) + f(candidate.1.macroF1) + String(format: " (%+.3f)", delta))
            func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
            lines.append(pad("hard negatives", 16) + pad(pct(current.1.hardNegativeFlagRate), 26) + pct(candidate.1.hardNegativeFlagRate) + " flagged")
            return lines.joined(separator: "\n")
        }
    }
}

/// A retraining refusal or failed gate; printed as "Error: <message>", exit 1.
struct RetrainError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
