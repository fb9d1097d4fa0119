/* XDMF writer for /fields (see xdmf.h). */
#include "xdmf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"

#define PATH_CAP 4200

/* XDMF 3 description of /fields next to the HDF5 file (OUT.h5 -> OUT.xmf),
 * so ParaView (Xdmf3 reader) opens the snapshots: per field case one
 * temporal collection over /curves/time, each step a 2DRectMesh whose points
 * are the cell centres (VXVY = /fields/case_<i>/r, z; z is depth, downward)
 * with the concentration as point data, a hyperslab [k, :, :] of
 * /fields/case_<i>/concentration. The HDF5 file is named relative to the
 * .xmf (same directory), so the pair can be moved together. */
ns_status ns_xdmf_write(const char *h5path, const ns_xdmf_fields *f)
{
    if (f->n == 0) return NS_OK;
    char xmf[PATH_CAP + 8], tmp[PATH_CAP + 16];
    size_t len = strlen(h5path);
    if (len > 3 && strcmp(h5path + len - 3, ".h5") == 0)
        snprintf(xmf, sizeof xmf, "%.*s.xmf", (int)(len - 3), h5path);
    else
        snprintf(xmf, sizeof xmf, "%s.xmf", h5path);
    snprintf(tmp, sizeof tmp, "%s.new", xmf);
    const char *base = strrchr(h5path, '/');
    base = base ? base + 1 : h5path;
    size_t T = f->n_time;
    double *t = malloc((T ? T : 1) * sizeof *t);
    NS_CHECK(t, NS_ENOMEM, "cannot allocate %zu output times", T);
    ns_case_output_times(f->duration, T, t);
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        free(t);
        NS_FAIL(NS_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    }
    fprintf(fp, "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
                "<!-- needlesim concentration fields of %s (schema needlesim-1, /fields) -->\n"
                "<Xdmf xmlns:xi=\"http://www.w3.org/2001/XInclude\" Version=\"3.0\">\n"
                "  <Domain>\n",
            base);
    for (size_t k = 0; k < f->n; k++) {
        size_t i = f->case_index[k], nr = f->n_r[k], nz = f->n_z[k];
        fprintf(fp, "    <Grid Name=\"case_%zu\" GridType=\"Collection\" CollectionType=\"Temporal\">\n", i);
        for (size_t m = 0; m < T; m++) {
            fprintf(fp,
                    "      <Grid Name=\"case_%zu_t%zu\" GridType=\"Uniform\">\n"
                    "        <Time Value=\"%.17g\"/>\n"
                    "        <Topology TopologyType=\"2DRectMesh\" Dimensions=\"%zu %zu\"/>\n"
                    "        <Geometry GeometryType=\"VXVY\">\n"
                    "          <DataItem Dimensions=\"%zu\" NumberType=\"Float\" Precision=\"8\" "
                    "Format=\"HDF\">%s:/fields/case_%zu/r</DataItem>\n"
                    "          <DataItem Dimensions=\"%zu\" NumberType=\"Float\" Precision=\"8\" "
                    "Format=\"HDF\">%s:/fields/case_%zu/z</DataItem>\n"
                    "        </Geometry>\n"
                    "        <Attribute Name=\"concentration\" AttributeType=\"Scalar\" Center=\"Node\">\n"
                    "          <DataItem ItemType=\"HyperSlab\" Dimensions=\"1 %zu %zu\" Type=\"HyperSlab\">\n"
                    "            <DataItem Dimensions=\"3 3\" Format=\"XML\">%zu 0 0 1 1 1 1 %zu %zu</DataItem>\n"
                    "            <DataItem Dimensions=\"%zu %zu %zu\" NumberType=\"Float\" Precision=\"8\" "
                    "Format=\"HDF\">%s:/fields/case_%zu/concentration</DataItem>\n"
                    "          </DataItem>\n"
                    "        </Attribute>\n"
                    "      </Grid>\n",
                    i, m, t[m], nz, nr, nr, base, i, nz, base, i, nz, nr, m, nz, nr, T, nz, nr,
                    base, i);
        }
        fprintf(fp, "    </Grid>\n");
    }
    fprintf(fp, "  </Domain>\n</Xdmf>\n");
    free(t);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad) {
        remove(tmp);
        NS_FAIL(NS_EIO, "%s: write failed", tmp);
    }
    if (rename(tmp, xmf) != 0) {
        remove(tmp);
        NS_FAIL(NS_EIO, "cannot rename %s to %s: %s", tmp, xmf, strerror(errno));
    }
    return NS_OK;
}
