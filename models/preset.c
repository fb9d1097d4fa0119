/* Preset lookup shared by the skin, needle and drug tables (models/preset.h). */
#include "preset.h"

#include <string.h>

const ns_preset *ns_preset_find(const ns_preset_table *t, const char *name)
{
    if (!t || !name) return NULL;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].name, name) == 0) return &t->rows[i];
    return NULL;
}

ns_status ns_preset_lookup(const ns_preset_table *t, const char *name, const ns_preset **out)
{
    *out = ns_preset_find(t, name);
    if (*out) return NS_OK;
    char valid[512];
    size_t len = 0;
    valid[0] = '\0';
    for (size_t i = 0; i < t->n; i++) {
        size_t w = strlen(t->rows[i].name) + (i ? 2 : 0);
        NS_CHECK(len + w < sizeof valid, NS_EINVAL,
                 "%s: the list of %zu preset names exceeds %zu characters", t->key, t->n,
                 sizeof valid - 1);
        memcpy(valid + len, i ? ", " : "", i ? 2 : 0);
        memcpy(valid + len + (i ? 2 : 0), t->rows[i].name, w - (i ? 2 : 0) + 1);
        len += w;
    }
    return ns_status_set_keyed(NS_EINVAL, t->key, "%s = '%s': unknown; valid: %s", t->key,
                               name ? name : "(null)", valid);
}

const char *ns_preset_name(const ns_preset_table *t, size_t i)
{
    return t && i < t->n ? t->rows[i].name : NULL;
}

size_t ns_preset_sources(const ns_preset_table *t, const char *name,
                         const ns_source_note **notes)
{
    const ns_preset *p = ns_preset_find(t, name);
    if (notes) *notes = p ? p->notes : NULL;
    return p ? p->n_notes : 0;
}
