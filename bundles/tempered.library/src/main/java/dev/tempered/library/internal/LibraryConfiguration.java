package dev.tempered.library.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Where the library index lives. */
@ObjectClassDefinition(name = "Tempered library", description = "The collection tagger's index database.")
public @interface LibraryConfiguration {
    /** The PID. */
    String PID = "dev.tempered.library";

    @AttributeDefinition(description = "Folder of the index database; empty for <tempered.home>/library.")
    String indexDir() default "";
}
