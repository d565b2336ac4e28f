# The trainer and the workflow launched through Slurm, each on a private single-node cluster
# (tests/slurm/cluster.sh: own ports, state directory and PID files, stopped on exit):
#   srun_equals_simulated        tests/srun_test.sh: `srun --mpi=pmix -n 2 localsgd-train`
#                                equals 2 simulated workers byte for byte;
#   slurm_workflow_equals_local  tests/slurm_workflow_test.sh: the smoke scale through the
#                                slurm/ profile (its MPI rule included) equals a local run;
#   slurm_refuses_short_min_job_age  tests/slurm_status_test.sh: without accounting and with
#                                MinJobAge = 10 s the profile's run fails at once saying what
#                                to set (it used to wait forever), with 200 s it completes, in
#                                the partition and account a site profile gives;
#   slurm_requeue_resumes        tests/slurm_requeue_test.sh: a training job requeued after its
#                                first checkpoint, and one stopped by the profile's pre-timeout
#                                SIGUSR1, resume and equal an uninterrupted run byte for byte.
# Both need the MPI backend. Include this file from the top-level CMakeLists.txt after
# cmake/mpi.cmake and after the localsgd-train and localsgd-analyze targets are defined.
get_filename_component(LOCALSGD_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

if(NOT BUILD_TESTING)
  return()
endif()
if(NOT LOCALSGD_WITH_MPI)
  message(STATUS "Slurm tests not registered: the trainer is built without MPI (LOCALSGD_WITH_MPI=OFF)")
  return()
endif()

# Registers test NAME running the remaining arguments, or, when MISSING lists what it needs and
# this machine lacks, a test that fails saying so: never a silent skip.
function(localsgd_add_test_or_hint name missing)
  if(missing)
    string(REPLACE ";" ", " what "${missing}")
    set(hint "${name} needs ${what}, not found: run scripts/setup.sh (it installs slurmctld slurmd slurm-client munge and .venv), then re-run cmake")
    message(WARNING "${hint}")
    add_test(NAME ${name} COMMAND bash -c "echo '${hint}' >&2; exit 1")
  else()
    add_test(NAME ${name} COMMAND ${ARGN})
  endif()
endfunction()

# Debian puts the daemons in /usr/sbin, which find_program searches as well.
set(slurm_missing "")
foreach(tool slurmctld slurmd srun sbatch munged)
  string(TOUPPER "${tool}" tool_var)
  find_program(LOCALSGD_${tool_var}_EXECUTABLE ${tool})
  if(NOT LOCALSGD_${tool_var}_EXECUTABLE)
    list(APPEND slurm_missing ${tool})
  endif()
endforeach()

localsgd_add_test_or_hint(srun_equals_simulated "${slurm_missing}"
  bash ${LOCALSGD_ROOT}/tests/srun_test.sh $<TARGET_FILE:localsgd-train>)
# Two ranks of one core each: let CTest count both when running tests in parallel.
set_tests_properties(srun_equals_simulated PROPERTIES TIMEOUT 300 PROCESSORS 2
  ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")

set(workflow_missing ${slurm_missing})
if(NOT EXISTS "${LOCALSGD_ROOT}/.venv/bin/snakemake")
  list(APPEND workflow_missing .venv/bin/snakemake)
endif()
localsgd_add_test_or_hint(slurm_workflow_equals_local "${workflow_missing}"
  bash ${LOCALSGD_ROOT}/tests/slurm_workflow_test.sh
       $<TARGET_FILE:localsgd-train> $<TARGET_FILE:localsgd-analyze>)
# The private cluster has one 2-CPU node; the local reference run uses 2 cores as well.
set_tests_properties(slurm_workflow_equals_local PROPERTIES TIMEOUT 900 PROCESSORS 2 RUN_SERIAL TRUE)

localsgd_add_test_or_hint(slurm_refuses_short_min_job_age "${workflow_missing}"
  bash ${LOCALSGD_ROOT}/tests/slurm_status_test.sh $<TARGET_FILE:localsgd-train>)
# One 1-CPU training job; ~30 s (a hang would be killed after 60 s by the test itself).
set_tests_properties(slurm_refuses_short_min_job_age PROPERTIES TIMEOUT 300 PROCESSORS 1)

localsgd_add_test_or_hint(slurm_requeue_resumes "${workflow_missing}"
  bash ${LOCALSGD_ROOT}/tests/slurm_requeue_test.sh $<TARGET_FILE:localsgd-train>)
# Three 1-thread trainings at once (a local reference and two Slurm jobs on the 2-CPU node):
# about 2 minutes.
set_tests_properties(slurm_requeue_resumes PROPERTIES TIMEOUT 900 PROCESSORS 2 RUN_SERIAL TRUE)
