/*
 * A small shim over libavformat/libavcodec so Java never touches FFmpeg's structs, whose layouts change
 * between major versions. It is compiled against the installed headers by the Maven build, so the
 * offsets are always right; Java sees only opaque handles, ints and float buffers.
 *
 * Every function validates its arguments and returns a negative AVERROR code instead of crashing.
 * A handle is used by one thread at a time (the Java side guarantees it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>

#define TF_ERR_ARG AVERROR(EINVAL)
#define TF_ERR_NOAUDIO (-0x54464e41) /* 'TFNA': the file has no audio stream */
#define TF_ERR_CHANNELS (-0x54464348) /* 'TFCH': more channels than we accept */
#define TF_MAX_CHANNELS 64
/* After a seek, decode this much before the target: AAC and Opus need pre-roll to converge. */
#define TF_PREROLL_SECONDS 0.5
/* Tolerated undecodable packets before a file counts as corrupt. */
#define TF_MAX_BAD_PACKETS 64

typedef struct tf_file {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    int stream;
    int channels;
    int rate;
    /* Converted interleaved float samples of the last decoded frame not yet handed out. */
    float *buf;
    int buf_cap;     /* frames */
    int buf_frames;  /* frames in buf */
    int buf_pos;     /* next frame to hand out */
    int64_t next_sample;  /* sample position (from the stream start) of the next frame returned */
    int64_t skip_to;      /* discard samples before this position (after a seek) */
    int draining;
    int eof;
    int bad_packets;
} tf_file;

static void tf_init_once(void) {
    static int done = 0;
    if (!done) {
        /* Errors are returned to Java; FFmpeg's own console chatter would only confuse a batch log. */
        av_log_set_level(AV_LOG_QUIET);
        done = 1;
    }
}

int tf_version(void) {
    return (int) avformat_version();
}

void tf_strerror(int code, char *buf, int size) {
    if (buf == NULL || size <= 0) {
        return;
    }
    if (code == TF_ERR_NOAUDIO) {
        snprintf(buf, (size_t) size, "no audio stream");
    } else if (code == TF_ERR_CHANNELS) {
        snprintf(buf, (size_t) size, "too many channels (more than %d)", TF_MAX_CHANNELS);
    } else if (av_strerror(code, buf, (size_t) size) < 0) {
        snprintf(buf, (size_t) size, "error %d", code);
    }
}

void tf_close(tf_file *f) {
    if (f == NULL) {
        return;
    }
    av_frame_free(&f->frame);
    av_packet_free(&f->pkt);
    avcodec_free_context(&f->dec);
    avformat_close_input(&f->fmt);
    free(f->buf);
    free(f);
}

/*
 * Opens a file and its best audio stream. On failure returns NULL and stores a negative code in *err.
 * formats: the demuxers allowed (FFmpeg's format_whitelist), so a crafted file can never be opened as a
 * playlist or concat list that reaches other files or the network.
 */
tf_file *tf_open(const char *path, const char *formats, int *err) {
    tf_init_once();
    if (err == NULL) {
        return NULL;
    }
    *err = 0;
    if (path == NULL || formats == NULL || path[0] == '\0') {
        *err = TF_ERR_ARG;
        return NULL;
    }
    tf_file *f = calloc(1, sizeof(tf_file));
    if (f == NULL) {
        *err = AVERROR(ENOMEM);
        return NULL;
    }
    f->stream = -1;
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    av_dict_set(&opts, "format_whitelist", formats, 0);
    int r = avformat_open_input(&f->fmt, path, NULL, &opts);
    av_dict_free(&opts);
    if (r < 0) {
        f->fmt = NULL;
        goto fail;
    }
    r = avformat_find_stream_info(f->fmt, NULL);
    if (r < 0) {
        goto fail;
    }
    const AVCodec *codec = NULL;
    r = av_find_best_stream(f->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (r == AVERROR_STREAM_NOT_FOUND) {
        r = TF_ERR_NOAUDIO;
        goto fail;
    }
    if (r < 0) {
        goto fail;
    }
    f->stream = r;
    AVStream *st = f->fmt->streams[f->stream];
    for (unsigned i = 0; i < f->fmt->nb_streams; i++) {
        if ((int) i != f->stream) {
            f->fmt->streams[i]->discard = AVDISCARD_ALL;
        }
    }
    f->dec = avcodec_alloc_context3(codec);
    if (f->dec == NULL) {
        r = AVERROR(ENOMEM);
        goto fail;
    }
    r = avcodec_parameters_to_context(f->dec, st->codecpar);
    if (r < 0) {
        goto fail;
    }
    /* One thread per file: callers parallelise across files, and benchmarks compare like with like. */
    f->dec->thread_count = 1;
    f->dec->pkt_timebase = st->time_base;
    r = avcodec_open2(f->dec, codec, NULL);
    if (r < 0) {
        goto fail;
    }
    f->channels = f->dec->ch_layout.nb_channels;
    f->rate = f->dec->sample_rate;
    if (f->channels <= 0 || f->rate <= 0) {
        r = AVERROR_INVALIDDATA;
        goto fail;
    }
    if (f->channels > TF_MAX_CHANNELS) {
        r = TF_ERR_CHANNELS;
        goto fail;
    }
    f->pkt = av_packet_alloc();
    f->frame = av_frame_alloc();
    if (f->pkt == NULL || f->frame == NULL) {
        r = AVERROR(ENOMEM);
        goto fail;
    }
    return f;
fail:
    *err = r < 0 ? r : AVERROR_UNKNOWN;
    tf_close(f);
    return NULL;
}

int tf_sample_rate(const tf_file *f) { return f == NULL ? TF_ERR_ARG : f->rate; }
int tf_channels(const tf_file *f) { return f == NULL ? TF_ERR_ARG : f->channels; }

const char *tf_container(const tf_file *f) {
    return f == NULL || f->fmt == NULL || f->fmt->iformat == NULL ? "" : f->fmt->iformat->name;
}

const char *tf_codec(const tf_file *f) {
    return f == NULL || f->dec == NULL ? "" : avcodec_get_name(f->dec->codec_id);
}

/* Frames in the stream as the container declares them, or -1 when it does not say. */
int64_t tf_frames(const tf_file *f) {
    if (f == NULL) {
        return -1;
    }
    AVStream *st = f->fmt->streams[f->stream];
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0 && st->time_base.num > 0) {
        return av_rescale_q(st->duration, st->time_base, (AVRational){1, f->rate});
    }
    if (f->fmt->duration != AV_NOPTS_VALUE && f->fmt->duration > 0) {
        return av_rescale_q(f->fmt->duration, AV_TIME_BASE_Q, (AVRational){1, f->rate});
    }
    return -1;
}

/* Positions the stream so the next tf_read returns the frame at sample position 'frame'. */
int tf_seek(tf_file *f, int64_t frame) {
    if (f == NULL || frame < 0) {
        return TF_ERR_ARG;
    }
    AVStream *st = f->fmt->streams[f->stream];
    int64_t preroll = (int64_t) (TF_PREROLL_SECONDS * f->rate);
    int64_t from = frame > preroll ? frame - preroll : 0;
    int64_t ts = av_rescale_q(from, (AVRational){1, f->rate}, st->time_base);
    if (st->start_time != AV_NOPTS_VALUE) {
        ts += st->start_time;
    }
    int r = avformat_seek_file(f->fmt, f->stream, INT64_MIN, ts, ts, 0);
    if (r < 0) {
        r = av_seek_frame(f->fmt, f->stream, ts, AVSEEK_FLAG_BACKWARD);
    }
    if (r < 0) {
        return r;
    }
    avcodec_flush_buffers(f->dec);
    f->buf_frames = 0;
    f->buf_pos = 0;
    f->draining = 0;
    f->eof = 0;
    /* Unknown until the first decoded frame carries a timestamp. */
    f->next_sample = -1;
    f->skip_to = frame;
    return 0;
}

static int tf_ensure_buf(tf_file *f, int frames) {
    if (frames <= f->buf_cap) {
        return 0;
    }
    if (frames > (1 << 24)) {
        return AVERROR_INVALIDDATA;
    }
    float *b = realloc(f->buf, (size_t) frames * (size_t) f->channels * sizeof(float));
    if (b == NULL) {
        return AVERROR(ENOMEM);
    }
    f->buf = b;
    f->buf_cap = frames;
    return 0;
}

static inline float tf_sample(const uint8_t *p, enum AVSampleFormat fmt, int idx) {
    switch (fmt) {
    case AV_SAMPLE_FMT_U8:
    case AV_SAMPLE_FMT_U8P:
        return (p[idx] - 128) * (1.0f / 128.0f);
    case AV_SAMPLE_FMT_S16:
    case AV_SAMPLE_FMT_S16P:
        return ((const int16_t *) p)[idx] * (1.0f / 32768.0f);
    case AV_SAMPLE_FMT_S32:
    case AV_SAMPLE_FMT_S32P:
        return (float) (((const int32_t *) p)[idx] * (1.0 / 2147483648.0));
    case AV_SAMPLE_FMT_S64:
    case AV_SAMPLE_FMT_S64P:
        return (float) (((const int64_t *) p)[idx] * (1.0 / 9223372036854775808.0));
    case AV_SAMPLE_FMT_FLT:
    case AV_SAMPLE_FMT_FLTP:
        return ((const float *) p)[idx];
    case AV_SAMPLE_FMT_DBL:
    case AV_SAMPLE_FMT_DBLP:
        return (float) ((const double *) p)[idx];
    default:
        return 0.0f;
    }
}

/* Converts the decoded frame to interleaved float in f->buf. */
static int tf_convert(tf_file *f) {
    AVFrame *fr = f->frame;
    int n = fr->nb_samples;
    if (n <= 0) {
        f->buf_frames = 0;
        f->buf_pos = 0;
        return 0;
    }
    if (fr->ch_layout.nb_channels != f->channels || fr->sample_rate != f->rate || fr->extended_data == NULL) {
        /* A mid-stream change of layout or rate: Java was promised fixed ones, and silently wrong audio is
         * worse than an error. */
        return AVERROR_INVALIDDATA;
    }
    int r = tf_ensure_buf(f, n);
    if (r < 0) {
        return r;
    }
    enum AVSampleFormat fmt = (enum AVSampleFormat) fr->format;
    int ch = f->channels;
    float *out = f->buf;
    if (fmt == AV_SAMPLE_FMT_FLTP) {
        for (int c = 0; c < ch; c++) {
            const float *in = (const float *) fr->extended_data[c];
            for (int i = 0; i < n; i++) {
                out[i * ch + c] = in[i];
            }
        }
    } else if (fmt == AV_SAMPLE_FMT_FLT) {
        memcpy(out, fr->extended_data[0], (size_t) n * (size_t) ch * sizeof(float));
    } else if (av_sample_fmt_is_planar(fmt)) {
        for (int c = 0; c < ch; c++) {
            const uint8_t *in = fr->extended_data[c];
            for (int i = 0; i < n; i++) {
                out[i * ch + c] = tf_sample(in, fmt, i);
            }
        }
    } else {
        const uint8_t *in = fr->extended_data[0];
        for (int i = 0; i < n * ch; i++) {
            out[i] = tf_sample(in, fmt, i);
        }
    }
    f->buf_frames = n;
    f->buf_pos = 0;
    return 0;
}

/* Decodes the next frame into f->buf. Returns 1 with a frame, 0 at the end, or a negative error. */
static int tf_next_frame(tf_file *f) {
    for (;;) {
        int r = avcodec_receive_frame(f->dec, f->frame);
        if (r == 0) {
            AVStream *st = f->fmt->streams[f->stream];
            int64_t pts = f->frame->best_effort_timestamp;
            if (f->next_sample < 0) {
                if (pts == AV_NOPTS_VALUE) {
                    /* No timestamp after a seek: we cannot place the samples, so say so. */
                    av_frame_unref(f->frame);
                    return AVERROR(ESPIPE);
                }
                int64_t start = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
                f->next_sample = av_rescale_q(pts - start, st->time_base, (AVRational){1, f->rate});
            }
            r = tf_convert(f);
            av_frame_unref(f->frame);
            if (r < 0) {
                return r;
            }
            if (f->buf_frames == 0) {
                continue;
            }
            return 1;
        }
        if (r == AVERROR_EOF) {
            f->eof = 1;
            return 0;
        }
        if (r == AVERROR_INVALIDDATA && ++f->bad_packets <= TF_MAX_BAD_PACKETS) {
            continue;
        }
        if (r != AVERROR(EAGAIN)) {
            return r;
        }
        if (f->draining) {
            return 0;
        }
        r = av_read_frame(f->fmt, f->pkt);
        if (r == AVERROR_EOF || (r < 0 && avio_feof(f->fmt->pb))) {
            f->draining = 1;
            r = avcodec_send_packet(f->dec, NULL);
            if (r < 0 && r != AVERROR_EOF) {
                return r;
            }
            continue;
        }
        if (r < 0) {
            return r;
        }
        if (f->pkt->stream_index == f->stream) {
            r = avcodec_send_packet(f->dec, f->pkt);
            if (r == AVERROR_INVALIDDATA) {
                /* One damaged packet is what ffmpeg's CLI skips too; many mean a corrupt file. */
                if (++f->bad_packets > TF_MAX_BAD_PACKETS) {
                    av_packet_unref(f->pkt);
                    return r;
                }
            } else if (r < 0 && r != AVERROR(EAGAIN)) {
                av_packet_unref(f->pkt);
                return r;
            }
        }
        av_packet_unref(f->pkt);
    }
}

/*
 * Decodes up to max_frames frames of interleaved float samples into out (which holds at least
 * max_frames * channels floats). Returns the frames written, 0 at the end, or a negative error.
 */
int tf_read(tf_file *f, float *out, int max_frames) {
    if (f == NULL || out == NULL || max_frames <= 0) {
        return TF_ERR_ARG;
    }
    int written = 0;
    while (written < max_frames) {
        if (f->buf_pos >= f->buf_frames) {
            if (f->eof) {
                break;
            }
            int r = tf_next_frame(f);
            if (r < 0) {
                return written > 0 ? written : r;
            }
            if (r == 0) {
                break;
            }
            /* Drop what lies before the seek target. */
            if (f->next_sample < f->skip_to) {
                int64_t drop = f->skip_to - f->next_sample;
                if (drop >= f->buf_frames) {
                    f->next_sample += f->buf_frames;
                    f->buf_pos = f->buf_frames;
                    continue;
                }
                f->buf_pos = (int) drop;
                f->next_sample += drop;
            }
        }
        int n = f->buf_frames - f->buf_pos;
        if (n > max_frames - written) {
            n = max_frames - written;
        }
        memcpy(out + (size_t) written * (size_t) f->channels, f->buf + (size_t) f->buf_pos * (size_t) f->channels,
                (size_t) n * (size_t) f->channels * sizeof(float));
        f->buf_pos += n;
        f->next_sample += n;
        written += n;
    }
    return written;
}

/* Undecodable packets skipped so far. */
int tf_bad_packets(const tf_file *f) { return f == NULL ? 0 : f->bad_packets; }
