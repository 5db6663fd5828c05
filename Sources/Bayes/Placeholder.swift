// Bayes
