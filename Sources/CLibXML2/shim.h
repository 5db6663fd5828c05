#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
/// Debian's headers pull in ICU when LIBXML_ICU_ENABLED is set; its `UErrorCode` then clashes with
/// Foundation's bundled ICU in any module that sees both. We never touch the ICU fields.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/entities.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlerror.h>

/// `xmlFree` is a global function-pointer variable, which Swift 6 rejects as shared mutable state.
static inline void cxml_free(void *p) { xmlFree(p); }

/// The XPath result accessors are macros in <libxml/xpath.h>; these are callable from Swift.
static inline int cxml_nodeset_count(xmlNodeSetPtr set) { return set ? set->nodeNr : 0; }
static inline xmlNodePtr cxml_nodeset_item(xmlNodeSetPtr set, int i) {
    return (set && i >= 0 && i < set->nodeNr) ? set->nodeTab[i] : NULL;
}

#endif
