"""Section kinds a sentence can have. Proposals skip the non-body kinds unless asked."""

BODY = "body"
HEADING = "heading"
LIST_ITEM = "list"
CAPTION = "caption"
TABLE = "table"
REFERENCES = "references"
FRONT_MATTER = "front_matter"
CONTENTS = "contents"  # a contents page (or list of tables / figures): one entry a unit

SECTION_KINDS = (BODY, HEADING, LIST_ITEM, CAPTION, TABLE, REFERENCES, FRONT_MATTER, CONTENTS)
# what `propose` reads by default: running prose and list items
PROPOSE_BY_DEFAULT = (BODY, LIST_ITEM)
