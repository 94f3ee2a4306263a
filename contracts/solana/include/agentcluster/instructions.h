/* The instruction tags (first byte of the data) and their handlers, one file each in src/ix. */
#ifndef AGENTCLUSTER_INSTRUCTIONS_H
#define AGENTCLUSTER_INSTRUCTIONS_H
#include "ac/account.h"

enum ac_instruction_tag {
  AC_IX_INITIALIZE = 0,
};

u64 ac_ix_initialize(ac_input *in);

#endif
