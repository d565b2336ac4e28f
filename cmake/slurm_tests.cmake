# The trainer launched through Slurm: tests/srun_test.sh starts a private single-node Slurm
# cluster (tests/slurm/cluster.sh: own ports, state directory and PID files, stopped on exit) and
# checks that `srun --mpi=pmix -n 2 localsgd-train` equals 2 simulated workers byte for byte.
# Include it from the top-level CMakeLists.txt after cmake/mpi.cmake (it needs the MPI backend)
# and after the localsgd-train target is defined. slurm_workflow_equals_local (below) does not
# need MPI and is registered either way.
get_filename_component(LOCALSGD_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

if(NOT BUILD_TESTING)
  return()
endif()
if(NOT LOCALSGD_WITH_MPI)
  message(STATUS "srun_equals_simulated not registered: the trainer is built without MPI (LOCALSGD_WITH_MPI=OFF)")
endif()

# Debian puts the daemons in /usr/sbin, which find_program searches as well.
set(LOCALSGD_SLURM_MISSING "")
foreach(tool slurmctld slurmd srun munged)
  string(TOUPPER "${tool}" tool_var)
  find_program(LOCALSGD_${tool_var}_EXECUTABLE ${tool})
  if(NOT LOCALSGD_${tool_var}_EXECUTABLE)
    list(APPEND LOCALSGD_SLURM_MISSING ${tool})
  endif()
endforeach()

if(LOCALSGD_SLURM_MISSING)
  # Not a silent skip: the test is registered and fails, saying how to get Slurm.
  string(REPLACE ";" ", " missing "${LOCALSGD_SLURM_MISSING}")
  set(hint "srun_equals_simulated needs Slurm and munge, but ${missing} not found: run scripts/setup.sh (it installs slurmctld slurmd slurm-client munge), then re-run cmake")
  message(WARNING "${hint}")
  add_test(NAME srun_equals_simulated COMMAND bash -c "echo '${hint}' >&2; exit 1")
elseif(LOCALSGD_WITH_MPI)
  add_test(NAME srun_equals_simulated
           COMMAND bash ${LOCALSGD_ROOT}/tests/srun_test.sh $<TARGET_FILE:localsgd-train>)
  # Two ranks of one core each: let CTest count both when running tests in parallel.
  set_tests_properties(srun_equals_simulated PROPERTIES TIMEOUT 300 PROCESSORS 2
    ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
endif()

# The Snakemake workflow through Slurm: tests/slurm_workflow_test.sh runs the smoke scale with
# the slurm/ profile (snakemake-executor-plugin-slurm) on its own private cluster and checks
# that every training run was a Slurm job and that the tables' .csv and every metrics.jsonl
# equal a local run byte for byte. It needs .venv's Snakemake 9 and the Slurm plugin.
find_program(LOCALSGD_SBATCH_EXECUTABLE sbatch)
if(NOT LOCALSGD_SBATCH_EXECUTABLE)
  list(APPEND LOCALSGD_SLURM_MISSING sbatch)
endif()
if(NOT EXISTS "${LOCALSGD_ROOT}/.venv/bin/snakemake")
  list(APPEND LOCALSGD_SLURM_MISSING .venv/bin/snakemake)
endif()
if(LOCALSGD_SLURM_MISSING)
  string(REPLACE ";" ", " missing "${LOCALSGD_SLURM_MISSING}")
  set(hint "slurm_workflow_equals_local needs Slurm, munge and .venv's Snakemake, but ${missing} not found: run scripts/setup.sh, then re-run cmake")
  message(WARNING "${hint}")
  add_test(NAME slurm_workflow_equals_local COMMAND bash -c "echo '${hint}' >&2; exit 1")
else()
  add_test(NAME slurm_workflow_equals_local
           COMMAND bash ${LOCALSGD_ROOT}/tests/slurm_workflow_test.sh
                   $<TARGET_FILE:localsgd-train> $<TARGET_FILE:localsgd-analyze>)
  # The private cluster has one 2-CPU node; the local reference run uses 2 cores as well.
  set_tests_properties(slurm_workflow_equals_local PROPERTIES TIMEOUT 600 PROCESSORS 2
    RUN_SERIAL TRUE)
endif()
