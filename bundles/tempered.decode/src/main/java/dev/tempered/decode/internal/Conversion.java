package dev.tempered.decode.internal;

/** Channel conversion on interleaved float PCM. */
final class Conversion {
    private Conversion() {
    }

    /** The mean of the channels of each frame; the input itself when it is already mono. */
    static float[] downmix(float[] interleaved, int channels) {
        if (channels == 1) {
            return interleaved;
        }
        int frames = interleaved.length / channels;
        float[] out = new float[frames];
        float scale = 1f / channels;
        if (channels == 2) {
            for (int i = 0, j = 0; i < frames; i++, j += 2) {
                out[i] = (interleaved[j] + interleaved[j + 1]) * 0.5f;
            }
            return out;
        }
        for (int i = 0, j = 0; i < frames; i++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += interleaved[j++];
            }
            out[i] = sum * scale;
        }
        return out;
    }
}
