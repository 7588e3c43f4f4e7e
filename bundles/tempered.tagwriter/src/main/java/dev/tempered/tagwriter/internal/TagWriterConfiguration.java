package dev.tempered.tagwriter.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Tempered tag writer", description = "Where the undo journal lives and how leftovers are handled.")
public @interface TagWriterConfiguration {
    @AttributeDefinition(name = "Journal directory",
            description = "Directory of the undo journal (tag-journal.jsonl). Empty: <tempered.home>/journal, where "
                    + "tempered.home is the framework property, else $TEMPERED_HOME, else ~/.tempered.")
    String journalDirectory() default "";

    @AttributeDefinition(name = "Clean leftovers",
            description = "Before writing into a directory, remove temporary files left there by a writer that died.")
    boolean cleanLeftovers() default true;
}
