/// The blocks of `.ftx` text the compiler tests build their experiments from: the
/// repository's data sets declared once, the way every test reads them, so a test spells
/// out only the settings it is about. (CLITests has its own copy of this idea: test
/// targets are separate modules and share no code without a support target.)
enum ExperimentText {
    static func header(_ name: String, seed: Int = 0) -> String {
        """
        experiment \(name) {
          seed = \(seed)
        }
        """
    }

    /// `data wine` (13 standardized features, 3 classes, a stratified 70/30 split) and
    /// `model net`, a 16-unit MLP over it.
    static let wineAndNet = """
        data wine {
          source = csv("../data/wine.csv")
          label = "label"
          normalize = standardize()
          split = stratified(train: 0.7, valid: 0.3, seed: 1)
        }

        model net {
          input = 13
          layers = [dense(16, activation: relu)]
          head = dense(3)
        }
        """

    /// `data digits` (64 pixel features in 0…16, scaled to 0…1; 10 classes; 80/20 random split).
    static let digits = """
        data digits {
          source = csv("../data/digits.csv")
          label = "label"
          normalize = scale(1 / 16)
          split = random(train: 0.8, valid: 0.2, seed: 0)
        }
        """
}
