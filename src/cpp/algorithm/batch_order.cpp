// make_batch_order: the length-sorted row order shared by forward, backward and the tape.
#include "algorithm/batch_order.hpp"

#include <numeric>

namespace lstmcore::detail {

BatchOrder make_batch_order(Index T, Index B, const Index* lengths) {
  BatchOrder o;
  o.T = T;
  o.B = B;
  o.perm.resize(static_cast<std::size_t>(B));
  std::iota(o.perm.begin(), o.perm.end(), Index(0));
  o.len.assign(static_cast<std::size_t>(B), T);
  if (lengths) {
    std::stable_sort(o.perm.begin(), o.perm.end(),
                     [&](Index a, Index b) { return lengths[a] > lengths[b]; });
    for (Index j = 0; j < B; ++j) o.len[j] = lengths[o.perm[j]];
  }
  o.active.assign(static_cast<std::size_t>(T), 0);
  for (Index s = 0; s < T; ++s) {
    Index n = 0;
    while (n < B && o.len[n] > s) ++n;
    o.active[s] = n;
  }
  return o;
}

}  // namespace lstmcore::detail
