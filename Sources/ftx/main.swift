import CLI
import Foundation

exit(runFTX(Array(CommandLine.arguments.dropFirst())))
