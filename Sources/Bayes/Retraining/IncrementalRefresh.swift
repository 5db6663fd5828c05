import Features
public import Posts

/// Brings a model's counts from what it learned (its ``TrainingManifest``) to what a plan says
/// to learn, without a rebuild: each post whose label changed is un-learned with its old label
/// and learned with the new one; posts that left the training set are un-learned, new ones
/// learned. The result has the counts a full rebuild on the plan's training posts has
/// (tested); the thresholds stay the model's.
public struct IncrementalRefresh: Sendable {
    public var learned = 0
    public var unlearned = 0
    /// Posts learned before and after with a different label (or content).
    public var relabelled = 0
    public var model: NaiveBayesModel

    /// Why a refresh cannot start from the model's counts: a full rebuild is needed.
    public struct NeedsRebuild: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// One post as learned: its labels and which content (`fixture` or the store's content hash).
    struct Learned: Equatable {
        var labels: [String]
        var content: String
    }

    /// - Parameters:
    ///   - model: the current model, as trained from `old`.
    ///   - old: what the model learned.
    ///   - plan: what to learn now.
    ///   - fixtureTrain: the fixture train posts (the same files as `old.fixtureFiles`).
    ///   - reviewed: every reviewed post the store has now, by id, with its current content.
    /// - Throws: ``NeedsRebuild`` when the fixture files changed or a learned post's content changed
    ///   (its old counts cannot be un-learned).
    public init(
        model: NaiveBayesModel, old: TrainingManifest, plan: RetrainingPlan, fixtureTrain: [Post],
        reviewed: [String: ReviewedExample]
    ) throws(NeedsRebuild) {
        guard old.fixtureDataHash == plan.manifest.fixtureDataHash else {
            throw NeedsRebuild(
                reason: "the fixture training data differs from what the model learned (\(old.fixtureFiles.joined(separator: ", ")), data hash \(old.fixtureDataHash) vs \(plan.manifest.fixtureDataHash) now)")
        }
        let fixtures = Dictionary(fixtureTrain.filter { $0.labels != nil }.map { ($0.id, $0) }) { a, _ in a }
        var before: [String: Learned] = [:]
        let excluded = Set(old.fixtureExcluded)
        for (id, post) in fixtures where !excluded.contains(id) {
            before[id] = Learned(labels: post.labels!.sorted(), content: "fixture")
        }
        for entry in old.reviewed {
            guard let now = reviewed[entry.id] else {
                throw NeedsRebuild(reason: "post '\(entry.id)' was learned from a review but is no longer in the store")
            }
            guard now.contentHash == entry.contentHash else {
                throw NeedsRebuild(reason: "post '\(entry.id)' changed content since the model learned it")
            }
            before[entry.id] = Learned(labels: entry.flags.sorted(), content: entry.contentHash)
        }
        var after: [String: Learned] = [:]
        let reviewedIDs = Set(plan.manifest.reviewed.map(\.id))
        for post in plan.training {
            let content = reviewedIDs.contains(post.id) ? reviewed[post.id]?.contentHash ?? "fixture" : "fixture"
            after[post.id] = Learned(labels: (post.labels ?? []).sorted(), content: content)
        }

        var model = model
        var extractor = FeatureExtractor(configuration: model.configuration.features)
        func post(_ id: String, _ learned: Learned) -> Post {
            var p = learned.content == "fixture" ? fixtures[id]! : reviewed[id]!.post
            p.labels = learned.labels
            return p
        }
        var counts = (learned: 0, unlearned: 0, relabelled: 0)
        // Sorted, so two refreshes of the same change add and remove in the same order.
        for id in Set(before.keys).union(after.keys).sorted() {
            let b = before[id]
            let a = after[id]
            if b == a { continue }
            if let b { model.unlearn(post(id, b), extractor: &extractor) }
            if let a { model.learn(post(id, a), extractor: &extractor) }
            switch (b, a) {
            case (.some, .some): counts.relabelled += 1
            case (.some, .none): counts.unlearned += 1
            case (.none, .some): counts.learned += 1
            case (.none, .none): break
            }
        }
        self.model = model.compacted()
        learned = counts.learned
        unlearned = counts.unlearned
        relabelled = counts.relabelled
    }
}
