// Package learned is the offline theme tagger that learns from labelled
// examples, in pure Go: [Train] fits a [Model] to texts with their themes,
// [Model] implements [enrich.Tagger], [Evaluate] measures it, and
// [Model.Save] and [Load] keep it in a versioned file.
//
// # Features
//
// Text is lowercased and split into words (letters and digits; an
// apostrophe inside a word is dropped). Each text becomes a sparse vector of
// two blocks, each of unit length times a fixed weight:
//
//   - Word features: the Porter2 stem of every word, every pair of adjacent
//     stems, and every unordered pair of stems up to 20 words apart within
//     one sentence, weighted by TF-IDF with sublinear term frequency
//     (1 + ln tf) and smoothed IDF. The unordered pairs are a cheap stand-in
//     for the word conjunctions a linear model cannot form itself; on
//     BANKING77 they are worth about half a point of accuracy.
//   - Character features: the 2- to 5-character n-grams of every word padded
//     with a space at each end, with IDF weights. A text's block is the sum
//     of its words' n-gram vectors, each scaled by the word's sublinear
//     count, divided by the square root of the sum of their scaled squared
//     lengths. That is TF-IDF over n-grams except that an n-gram shared by
//     two different words is not pooled in the normalisation, and it makes
//     a text's score a sum of per-word scores that a model computes once
//     per vocabulary word at load time, which is what makes tagging fast.
//
// Only features seen in training are kept, as 64-bit hashes.
//
// # Learning
//
// When every training text has at most one label, the model is exclusive:
// it picks exactly one outcome per text, "no theme" being one outcome when
// some texts are unlabelled. Otherwise each theme is decided on its own.
//
// The classifiers are L2-regularised linear SVMs with a bias feature:
// one-vs-rest with the squared hinge loss, solved by dual coordinate
// descent with shrinking (Hsieh et al. 2008), one goroutine per class up to
// GOMAXPROCS; and, for exclusive data of at most 3,000 texts, also the
// Crammer-Singer multi-class SVM (Keerthi et al. 2008), which does better
// with few examples per class. Internal stratified k-fold cross-validation
// (5 folds up to 3,000 texts, 3 above) on the training data picks the solver
// and the regularisation C from {0.01, 0.03, 0.1, 0.3, 1, 3} by accuracy
// (exclusive) or micro-F1 (multi-label), so that a user need tune nothing:
// small data gets the settings that suit small data. The vocabulary and IDF
// are computed once on all training texts, which the folds share.
//
// On exclusive data of at most 3,000 texts, cross-validation then tries
// adding to the chosen SVM's scores those of a multinomial logistic
// regression (L2-regularised, C = 100, 20 passes of stochastic gradient
// descent), times 0.3, 1 or 3, and keeps the blend that improves
// out-of-fold accuracy, if any. Both are linear in the same features, so a
// blend is one weight matrix. With 10 texts per BANKING77 intent it adds
// 0.9 points of accuracy; with 100 per intent 0.1, which is why larger
// data skips it.
//
// # The network
//
// Unless [TrainOptions.NoNetwork], an exclusive model also trains a network
// with one hidden layer of 64 ReLU units over the same features (those
// seen in at least two training texts) and a softmax output: 15 passes of
// minibatch Adam (batches of 200, step 0.001, L2 1e-4), each batch
// updating only the input rows its texts use, the batch split between the
// cores. Tagging adds its class probabilities times 0.5 to the SVM's
// scores, and computes them only for near ties, where the runner-up is
// less than 0.1 behind the winner: the network could overturn winners up
// to 0.5 ahead, but on the BANKING77 development folds those it overturned
// beyond 0.075 were as often wrong as right. The hidden layer is built from
// what scoring already has: the word block's features and scale, and per
// training word its n-gram vector times the input weights, computed at
// load time like its class scores. On BANKING77 it adds about a fifth of a
// point of accuracy; the network's input weights make the model file about
// three times larger; and the near ties, a quarter of 300-character texts
// that join several requests, take about 25 µs more to tag, a sixth more
// time over all texts. A feature's network row is kept in its record (see
// Tagging speed), and on amd64 with AVX2 the rows, the words' hidden
// vectors and the output layer are added in assembly (netrows_amd64.s).
// With 10 texts per class it changed nothing. The temperature that turns
// scores into confidences is the one fitted without the network; the
// confidences stay as well calibrated with it (expected calibration error
// 0.019 and 0.027 on BANKING77 folds 0 and 1, 0.019 and 0.028 without).
//
// # Confidence and decisions
//
// The same out-of-fold scores calibrate the confidences. An exclusive model
// turns scores into probabilities with a softmax whose temperature
// minimises the out-of-fold log loss, and reports the winner's probability.
// A multi-label model fits one logistic curve per theme (Platt scaling, with
// Platt's smoothed targets) and predicts every theme whose probability
// reaches one threshold, chosen to maximise out-of-fold micro-F1; a text with
// no theme over it gets none. When the taxonomy is known at training, a
// predicted theme brings its ancestors with the same confidence.
//
// Tag also says how sure the model is of its whole answer
// (enrich.Item.SetConfidence), which hybrid routing compares with
// llm.threshold: for an exclusive model the winner's probability, "no
// theme" included; for a multi-label model the product over the themes of
// each decision's probability (p for a theme it predicts, 1-p for one it
// does not), as if the themes were independent.
//
// Evidence is the sentence whose words (and their n-grams) contribute most
// to a theme's score, or the whole text when it is one sentence. Sentences
// are those the word pairs keep within: they end at a line break or at ., !
// or ? before a space, so the tokenizer finds them as it goes.
//
// # Model files
//
// A model file is a gzipped gob stream: a header with a format version,
// which [Load] checks, then the model; a file of another version is refused
// with an error that says to retrain. N-gram weights are int8 per class,
// scaled per n-gram. Word-feature weights are sparse: an exclusive model
// keeps, per feature, the 16 largest deviations from the feature's median
// class weight (adding one number to every class changes neither the
// winner nor the softmax) that reach 2% of the model's largest weight,
// which on BANKING77 dropped 70% of them and changed accuracy by less than
// 0.1 point; a multi-label model keeps the weights themselves. What is kept
// is int8, scaled per feature.
//
// # Tagging speed
//
// [Load] lays the word features out for tagging: an open-addressing table
// of 8-byte entries (key and record start) beside one array of records,
// each a feature's IDF and class weights packed in 10 bytes plus 2 per
// weight (4 with more than 256 classes), plus 4 for the feature's row of
// the network when the model has one, in order of how many training texts
// had the feature so that the common ones share cache lines. On amd64 with
// AVX2, a feature with 8 weights or more (or as many as half the classes,
// when that is fewer) holds one int8 per class instead (about 90 bytes
// with 77 classes), added eight classes at a time: on BANKING77 those are
// 7% of the features but 90% of the weights a text adds, and tagging takes
// 15-17% fewer instructions for 0.35 MB more memory; on Review-Pulse's 8
// themes 21% fewer, in less memory. The sums of a text's dense records
// stay in registers, twelve groups of eight classes per pass.
// A 300-character text makes about 400 word-feature keys. They are counted
// first, so that each distinct one is looked up once; the table's slots and
// then the records are fetched ahead of use (with PREFETCHT0 on amd64,
// with plain loads elsewhere), so that their cache misses overlap, and the
// n-gram block is added while the records arrive. The n-gram block costs
// one addition of k numbers per distinct word, from per-word scores
// computed at load time.
package learned
