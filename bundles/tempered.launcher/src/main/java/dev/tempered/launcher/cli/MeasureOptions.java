package dev.tempered.launcher.cli;

import picocli.CommandLine.Option;

/** How evaluate and study measure: bins, bootstrap resamples and seed. */
final class MeasureOptions {
    @Option(names = "--bins", paramLabel = "N",
            description = "equal-width bins for ECE, MCE, MAE and the diagrams (default 15)")
    int bins = 15;

    @Option(names = "--resamples", paramLabel = "N", description = "bootstrap resamples (default 1000; 0 for none)")
    int resamples = 1000;

    @Option(names = "--seed", paramLabel = "N", description = "bootstrap seed (default 1)")
    long seed = 1;

    /** Checks the ranges picocli cannot. */
    void check() throws UsageException {
        if (bins < 1 || resamples < 0) {
            throw new UsageException("--bins needs an integer >= 1 and --resamples one >= 0");
        }
    }
}
