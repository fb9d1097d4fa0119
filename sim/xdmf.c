/* XDMF writers for /fields (see xdmf.h). */
#include "xdmf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "output.h"

#define PATH_CAP 4200

/* The two descriptions being written. */
enum { XDMF3 = 0, XDMF2 = 1, N_FLAVOURS = 2 };
static const char *const suffix[N_FLAVOURS] = {".xmf", ".xmf2"};

/* Coordinates of the grid points, row-major (depth outer, radius inner):
 * "r -z" pairs, 17 significant digits. */
static void put_xy(FILE *fp, const double *r, size_t nr, const double *z, size_t nz)
{
    for (size_t iz = 0; iz < nz; iz++) {
        for (size_t ir = 0; ir < nr; ir++) fprintf(fp, "%s%.17g %.17g", ir ? " " : "", r[ir], -z[iz]);
        fputc('\n', fp);
    }
}

/* The geometry of case i at step m: inline at the first step, a pointer to
 * it at the others. g is the 1-based position of the case's grid in a step. */
static void put_geometry(FILE *fp, int flavour, size_t i, size_t g, size_t m, const double *r,
                         size_t nr, const double *z, size_t nz)
{
    if (flavour == XDMF2) {
        fprintf(fp, "        <Geometry GeometryType=\"XY\"><DataItem Reference=\"XML\">"
                    "/Xdmf/Domain/DataItem[@Name=\"xy_case_%zu\"]</DataItem></Geometry>\n", i);
    } else if (m == 0) {
        fprintf(fp, "        <Geometry GeometryType=\"XY\">\n"
                    "          <DataItem Dimensions=\"%zu 2\" NumberType=\"Float\" Precision=\"8\" "
                    "Format=\"XML\">\n", nz * nr);
        put_xy(fp, r, nr, z, nz);
        fprintf(fp, "          </DataItem>\n        </Geometry>\n");
    } else {
        /* element(/1/1/1/1/g+1/2): Xdmf, Domain, the time series, its first
         * step, case grid g (after the step's Time), Geometry (after Topology) */
        fprintf(fp, "        <xi:include xpointer=\"element(/1/1/1/1/%zu/2)\"/>\n", g + 1);
    }
}

/* The concentration slab [m, :, :] of case i. */
static void put_slab(FILE *fp, int flavour, const char *base, size_t i, size_t m, size_t T,
                     size_t nr, size_t nz)
{
    fprintf(fp, "        <Attribute Name=\"concentration\" AttributeType=\"Scalar\" Center=\"Node\">\n");
    if (flavour == XDMF3)
        fprintf(fp,
                "          <DataItem Dimensions=\"%zu %zu\" NumberType=\"Float\" Precision=\"8\" "
                "Format=\"HDF\">%s:/fields/case_%zu/concentration|%zu 0 0:1 1 1:1 %zu %zu:%zu %zu "
                "%zu</DataItem>\n",
                nz, nr, base, i, m, nz, nr, T, nz, nr);
    else
        fprintf(fp,
                "          <DataItem ItemType=\"HyperSlab\" Dimensions=\"%zu %zu\" Type=\"HyperSlab\">\n"
                "            <DataItem Dimensions=\"3 3\" Format=\"XML\">%zu 0 0 1 1 1 1 %zu %zu</DataItem>\n"
                "            <DataItem Dimensions=\"%zu %zu %zu\" NumberType=\"Float\" Precision=\"8\" "
                "Format=\"HDF\">%s:/fields/case_%zu/concentration</DataItem>\n"
                "          </DataItem>\n",
                nz, nr, m, nz, nr, T, nz, nr, base, i);
    fprintf(fp, "        </Attribute>\n");
}

/* The grids of the field cases, read from the HDF5 file. */
typedef struct {
    size_t n;             /* cases with a finite grid */
    size_t *index;        /* their case indices */
    size_t *nr, *nz;      /* their cell counts */
    double **r, **z;      /* their cell centres [m] */
} grids;

static void grids_clear(grids *G)
{
    for (size_t k = 0; k < G->n; k++) {
        free(G->r[k]);
        free(G->z[k]);
    }
    free(G->index);
    free(G->nr);
    free(G->nz);
    free(G->r);
    free(G->z);
    memset(G, 0, sizeof *G);
}

static int all_finite(const double *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!isfinite(x[k])) return 0;
    return 1;
}

/* Read the grids of f's cases from h5path; a case whose grid is not finite
 * (it failed before its diffusion solve) is left out and named in skipped[]. */
static ns_status grids_read(const char *h5path, const ns_xdmf_fields *f, grids *G, size_t *skipped,
                            size_t *n_skipped)
{
    memset(G, 0, sizeof *G);
    *n_skipped = 0;
    G->index = malloc(f->n * sizeof *G->index);
    G->nr = malloc(f->n * sizeof *G->nr);
    G->nz = malloc(f->n * sizeof *G->nz);
    G->r = calloc(f->n, sizeof *G->r);
    G->z = calloc(f->n, sizeof *G->z);
    NS_CHECK(G->index && G->nr && G->nz && G->r && G->z, NS_ENOMEM,
             "cannot allocate %zu field grids", f->n);
    ns_output *o = NULL;
    NS_TRY(ns_output_open(h5path, 0, &o));
    ns_status st = NS_OK;
    for (size_t k = 0; k < f->n && st == NS_OK; k++) {
        size_t i = f->case_index[k], nr = f->n_r[k], nz = f->n_z[k], j = G->n;
        G->r[j] = malloc((nr ? nr : 1) * sizeof(double));
        G->z[j] = malloc((nz ? nz : 1) * sizeof(double));
        if (!G->r[j] || !G->z[j]) {
            st = ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__,
                               "cannot allocate a field grid of %zu x %zu cells", nr, nz);
        } else if ((st = ns_output_read_field_grid(o, i, G->r[j], nr, G->z[j], nz)) == NS_OK) {
            if (all_finite(G->r[j], nr) && all_finite(G->z[j], nz)) {
                G->index[j] = i, G->nr[j] = nr, G->nz[j] = nz;
                G->n++;
                continue;
            }
            skipped[(*n_skipped)++] = i;
        }
        free(G->r[j]);
        free(G->z[j]);
        G->r[j] = G->z[j] = NULL;
    }
    ns_status cst = ns_output_close(&o);
    if (st == NS_OK) st = cst;
    return st;
}

/* The body of one file: one temporal collection over /curves/time whose
 * steps are spatial collections of the case grids (so every reader, the
 * Xdmf3 "S" one included, shows all cases at each time). */
static void put_body(FILE *fp, int flavour, const char *base, const grids *G, const double *t,
                     size_t T)
{
    if (flavour == XDMF2)
        for (size_t g = 0; g < G->n; g++) {
            fprintf(fp, "    <DataItem Name=\"xy_case_%zu\" Dimensions=\"%zu 2\" NumberType=\"Float\" "
                        "Precision=\"8\" Format=\"XML\">\n", G->index[g], G->nz[g] * G->nr[g]);
            put_xy(fp, G->r[g], G->nr[g], G->z[g], G->nz[g]);
            fprintf(fp, "    </DataItem>\n");
        }
    fprintf(fp, "    <Grid Name=\"fields\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
    for (size_t m = 0; m < T; m++) {
        fprintf(fp, "     <Grid Name=\"t%zu\" GridType=\"Collection\" CollectionType=\"Spatial\">\n"
                    "      <Time Value=\"%.17g\"/>\n", m, t[m]);
        for (size_t g = 0; g < G->n; g++) {
            size_t i = G->index[g], nr = G->nr[g], nz = G->nz[g];
            fprintf(fp, "      <Grid Name=\"case_%zu\" GridType=\"Uniform\">\n"
                        "        <Topology TopologyType=\"2DSMesh\" Dimensions=\"%zu %zu\"/>\n",
                    i, nz, nr);
            put_geometry(fp, flavour, i, g + 1, m, G->r[g], nr, G->z[g], nz);
            put_slab(fp, flavour, base, i, m, T, nr, nz);
            fprintf(fp, "      </Grid>\n");
        }
        fprintf(fp, "     </Grid>\n");
    }
    fprintf(fp, "    </Grid>\n");
}

ns_status ns_xdmf_write(const char *h5path, const ns_xdmf_fields *f)
{
    if (f->n == 0) return NS_OK;
    char name[N_FLAVOURS][PATH_CAP + 8], tmp[N_FLAVOURS][PATH_CAP + 16] = {"", ""};
    size_t len = strlen(h5path);
    NS_CHECK(len < PATH_CAP, NS_EINVAL, "output path longer than %d bytes", PATH_CAP - 1);
    int stem = len > 3 && strcmp(h5path + len - 3, ".h5") == 0 ? (int)(len - 3) : (int)len;
    const char *base = strrchr(h5path, '/');
    base = base ? base + 1 : h5path;
    size_t T = f->n_time;
    double *t = malloc((T ? T : 1) * sizeof *t);
    NS_CHECK(t, NS_ENOMEM, "cannot allocate %zu output times", T);
    ns_case_output_times(f->duration, T, t);

    FILE *fp[N_FLAVOURS] = {NULL, NULL};
    grids G;
    size_t *skipped = malloc(f->n * sizeof *skipped), n_skipped = 0;
    ns_status st = skipped ? grids_read(h5path, f, &G, skipped, &n_skipped)
                           : ns_status_set(NS_ENOMEM, __FILE__, __LINE__, __func__,
                                           "cannot allocate %zu field cases", f->n);
    if (st != NS_OK) goto done;
    for (int v = 0; v < N_FLAVOURS; v++) {
        snprintf(name[v], sizeof name[v], "%.*s%s", stem, h5path, suffix[v]);
        snprintf(tmp[v], sizeof tmp[v], "%.*s%s.new", stem, h5path, suffix[v]);
        fp[v] = fopen(tmp[v], "w");
        if (!fp[v]) {
            st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__, "%s: cannot create: %s", tmp[v],
                               strerror(errno));
            goto done;
        }
        fprintf(fp[v], "<?xml version=\"1.0\" ?>\n"
                       "<!-- needlesim concentration fields of %s (schema needlesim-1, /fields), "
                       "XDMF %d for ParaView's %s; x = r, y = -depth [m] -->\n"
                       "<Xdmf xmlns:xi=\"http://www.w3.org/2001/XInclude\" Version=\"%s\">\n"
                       "  <Domain>\n",
                base, v == XDMF3 ? 3 : 2, v == XDMF3 ? "Xdmf3 Reader S/T" : "XDMF Reader",
                v == XDMF3 ? "3.0" : "2.0");
    }
    for (int v = 0; v < N_FLAVOURS; v++) {
        for (size_t k = 0; k < n_skipped; k++)
            fprintf(fp[v], "    <!-- case %zu: no field (the case failed before its diffusion "
                           "solve; see /error) -->\n", skipped[k]);
        put_body(fp[v], v, base, &G, t, T);
        fprintf(fp[v], "  </Domain>\n</Xdmf>\n");
        int bad = ferror(fp[v]);
        int closed = fclose(fp[v]);
        fp[v] = NULL;
        if (closed != 0 || bad) {
            st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__, "%s: write failed", tmp[v]);
            goto done;
        }
    }
    for (int v = 0; v < N_FLAVOURS; v++) {
        if (rename(tmp[v], name[v]) != 0) {
            st = ns_status_set(NS_EIO, __FILE__, __LINE__, __func__, "cannot rename %s to %s: %s",
                               tmp[v], name[v], strerror(errno));
            goto done;
        }
    }
done:
    for (int v = 0; v < N_FLAVOURS; v++) {
        if (fp[v]) fclose(fp[v]);
        if (st != NS_OK && tmp[v][0]) remove(tmp[v]);
    }
    if (skipped) grids_clear(&G);
    free(skipped);
    free(t);
    return st;
}
