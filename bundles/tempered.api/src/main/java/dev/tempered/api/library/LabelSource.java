package dev.tempered.api.library;

/** Where a collection job takes the ground-truth genre of a file from, when it takes one at all. */
public enum LabelSource {
    /** No labels: nothing to evaluate against. */
    NONE,
    /** The names of the folders holding the file, nearest first, mapped onto the model's labels. */
    FOLDERS,
    /** The genre tag already in the file, mapped onto the model's labels. */
    TAGS
}
