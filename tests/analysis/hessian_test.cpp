// The Hessian estimators against independent computations: least squares and softmax
// regression, whose Hessians are known in closed form (eigenvalues and trace from Eigen's dense
// solver on the explicit matrix); a network with batch normalisation, whose Hessian-vector
// products are checked against central finite differences of the gradient and against the
// Hessian built row by row from the gradient's own derivatives.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "hessian/eigenpairs.h"
#include "hessian/spectral_density.h"
#include "hessian/symmetric_operator.h"
#include "hessian/trace_estimate.h"
#include "landscape/fixed_loss.h"
#include "loss_models.h"
#include "task/task.h"

namespace localsgd::analysis {
namespace {

using namespace testing;

Eigen::MatrixXd to_eigen(const torch::Tensor& m) {
  const torch::Tensor c = m.to(torch::kDouble).contiguous();
  Eigen::MatrixXd out(c.size(0), c.size(1));
  for (std::int64_t i = 0; i < c.size(0); ++i)
    for (std::int64_t j = 0; j < c.size(1); ++j) out(i, j) = c[i][j].item<double>();
  return out;
}

// Descending eigenvalues of a symmetric matrix by Eigen's dense solver.
std::vector<double> dense_eigenvalues(const torch::Tensor& m) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(to_eigen(m));
  std::vector<double> values(solver.eigenvalues().data(), solver.eigenvalues().data() + solver.eigenvalues().size());
  std::sort(values.rbegin(), values.rend());
  return values;
}

// Least squares on 40 samples of 9 features (double): H = X~'X~ / n, X~ = [X, 1], in the order
// of the parameters (weight then bias).
struct LeastSquares {
  LeastSquares() : model(9, 1) {
    torch::manual_seed(3);
    // Columns of different scales, so the eigenvalues are well apart.
    inputs = torch::randn({40, 9}, torch::kDouble) * torch::linspace(0.3, 3.0, 9, torch::kDouble);
    targets = torch::randn({40}, torch::kDouble);
    model.to(torch::kDouble);
    const torch::Tensor augmented = torch::cat({inputs, torch::ones({40, 1}, torch::kDouble)}, 1);
    hessian = augmented.t().mm(augmented) / 40;
  }
  LinearModel model;
  torch::Tensor inputs, targets, hessian;
  HalfSquaredError task;
};

TEST(HessianTest, LeastSquaresProductsAreTheClosedForm) {
  LeastSquares problem;
  const TensorSamples samples(problem.inputs, problem.targets);
  FixedLoss loss(problem.model, samples, problem.task, 0, 7);  // batches of 7, 7, ..., 5
  for (int i = 0; i < 3; ++i) {
    const torch::Tensor v = gaussian(10, i);
    EXPECT_LT((loss.hessian_vector_product(v) - torch::mv(problem.hessian, v)).abs().max().item<double>(), 1e-12);
  }
  // Weighted by batch size: one batch of all 40 gives the same products.
  FixedLoss whole(problem.model, samples, problem.task, 0, 40);
  const torch::Tensor v = gaussian(10, 9);
  EXPECT_LT((whole.hessian_vector_product(v) - loss.hessian_vector_product(v)).abs().max().item<double>(), 1e-12);
}

TEST(HessianTest, LanczosAndPowerIterationFindTheTopEigenvalues) {
  LeastSquares problem;
  const TensorSamples samples(problem.inputs, problem.targets);
  FixedLoss loss(problem.model, samples, problem.task, 0, 16);
  HessianOf hessian(loss);
  const auto exact = dense_eigenvalues(problem.hessian);
  EigenOptions options;
  options.count = 3;
  options.tolerance = 1e-10;
  options.krylov_dimension = 8;
  const Eigenpairs lanczos = lanczos_top(hessian, options);
  ASSERT_TRUE(lanczos.converged);
  ASSERT_EQ(lanczos.values.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(lanczos.values[i], exact[i], 1e-8 * exact[0]) << i;
    EXPECT_LT(lanczos.residuals[i], 1e-6 * exact[0]) << i;
  }
  EXPECT_GT(lanczos.products, 0);
  EXPECT_EQ(hessian.products(), lanczos.products + 3);  // + one product per residual
  options.max_iterations = 2000;
  options.tolerance = 1e-12;
  const Eigenpairs power = power_iteration_top(hessian, options);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(power.values[i], exact[i], 1e-6 * exact[0]) << i;
  EXPECT_GT(power.products, lanczos.products);  // the point of Lanczos
}

// A spectrum with negative eigenvalues: Lanczos returns the largest algebraic ones; power
// iteration the largest in magnitude (PyHessian's behaviour, documented).
TEST(HessianTest, LargestAlgebraicVersusLargestMagnitude) {
  torch::manual_seed(1);
  const torch::Tensor q = std::get<0>(torch::linalg::qr(torch::randn({30, 30}, torch::kDouble)));
  const torch::Tensor spectrum = torch::linspace(-1, 1, 30, torch::kDouble).index_put_({0}, -20.0).index_put_({29}, 10.0);
  ExplicitMatrix m(q.mm(torch::diag(spectrum)).mm(q.t()));
  EigenOptions options;
  options.tolerance = 1e-10;
  options.max_iterations = 500;
  EXPECT_NEAR(lanczos_top(m, options).values[0], 10.0, 1e-8);
  EXPECT_NEAR(power_iteration_top(m, options).values[0], -20.0, 1e-6);
}

TEST(HessianTest, HutchinsonTraceWithinItsStandardError) {
  LeastSquares problem;
  ExplicitMatrix m(problem.hessian);
  const double exact = problem.hessian.trace().item<double>();
  const TraceEstimate t = hutchinson_trace(m, 400, 5);
  EXPECT_GT(t.standard_error, 0);
  EXPECT_LT(std::abs(t.trace - exact), 4 * t.standard_error) << t.trace << " vs " << exact;
  EXPECT_EQ(t.products, 400);
  EXPECT_EQ(t.method, "hutchinson");
  // For a diagonal matrix every Rademacher probe gives the trace exactly.
  ExplicitMatrix diagonal(torch::diag(torch::arange(1, 11, torch::kDouble)));
  const TraceEstimate d = hutchinson_trace(diagonal, 5, 1);
  EXPECT_DOUBLE_EQ(d.trace, 55.0);
  EXPECT_DOUBLE_EQ(d.standard_error, 0.0);
}

// Hutch++ against the explicit trace: exact when the sketch spans the matrix's range (a rank-3
// matrix, 4 sketch vectors: the deflated part is the whole trace, the rest is 0); unbiased
// within its standard error on a full-rank one; on a fast-decaying spectrum, a smaller error
// than Hutchinson's at the same number of products, over 20 seeds.
TEST(HessianTest, HutchPlusPlusDeflatesTheTopOfTheSpectrum) {
  torch::manual_seed(2);
  const torch::Tensor q = std::get<0>(torch::linalg::qr(torch::randn({30, 30}, torch::kDouble)));
  const torch::Tensor low = q.narrow(1, 0, 3).mm(torch::diag(torch::tensor({9.0, 4.0, 1.0}, torch::kDouble)))
                                .mm(q.narrow(1, 0, 3).t());
  ExplicitMatrix rank3(low);
  const TraceEstimate exact = hutch_plus_plus_trace(rank3, 12, 7);
  EXPECT_EQ(exact.method, "hutch++");
  EXPECT_NEAR(exact.trace, 14.0, 1e-10);
  EXPECT_NEAR(exact.deflated, 14.0, 1e-10);
  EXPECT_NEAR(exact.standard_error, 0.0, 1e-10);
  EXPECT_EQ(exact.products, 12);
  EXPECT_EQ(exact.samples.size(), 4u);

  LeastSquares problem;
  ExplicitMatrix m(problem.hessian);
  const double full = problem.hessian.trace().item<double>();
  const TraceEstimate t = hutch_plus_plus_trace(m, 6, 5);
  EXPECT_LT(std::abs(t.trace - full), 4 * t.standard_error + 1e-12) << t.trace << " vs " << full;

  // Eigenvalues 2^-j, j = 0..29: most of the trace is in the top few.
  const torch::Tensor decaying = q.mm(torch::diag(torch::pow(0.5, torch::arange(30, torch::kDouble)))).mm(q.t());
  ExplicitMatrix d(decaying);
  const double trace = decaying.trace().item<double>();
  double hutchinson_error = 0, hutch_plus_plus_error = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    hutchinson_error += std::abs(hutchinson_trace(d, 12, 100 * seed).trace - trace);
    hutch_plus_plus_error += std::abs(hutch_plus_plus_trace(d, 12, 100 * seed).trace - trace);
  }
  EXPECT_LT(hutch_plus_plus_error, 0.5 * hutchinson_error) << hutch_plus_plus_error << " vs " << hutchinson_error;
  EXPECT_THROW(hutch_plus_plus_trace(d, 7, 0), std::invalid_argument);
}

// With as many steps as dimensions, quadrature is exact per probe: sum_j w_j theta_j^k =
// z'H^k z / z'z. The moments are checked against that explicit computation, the weights sum
// to 1 per probe, and the nodes of one full probe are the eigenvalues.
TEST(HessianTest, LanczosQuadratureMomentsAreExactAtFullDimension) {
  LeastSquares problem;
  ExplicitMatrix m(problem.hessian);
  const int probes = 4;
  const SpectralDensity d = lanczos_quadrature(m, 10, probes, 7);
  double weights = 0;
  for (const auto& node : d.nodes) weights += node.weight;
  EXPECT_NEAR(weights, 1.0, 1e-10);
  for (int k = 1; k <= 3; ++k) {
    double expected = 0;
    for (int i = 0; i < probes; ++i) {
      const torch::Tensor z = rademacher(10, 7 + i);
      expected += z.dot(torch::mv(torch::linalg::matrix_power(problem.hessian, k), z)).item<double>() / z.dot(z).item<double>() / probes;
    }
    EXPECT_NEAR(d.moment(k), expected, 1e-8 * std::abs(expected)) << k;
  }
  const auto exact = dense_eigenvalues(problem.hessian);
  const SpectralDensity one = lanczos_quadrature(m, 10, 1, 7);
  std::vector<double> nodes;
  for (const auto& node : one.nodes) nodes.push_back(node.value);
  std::sort(nodes.rbegin(), nodes.rend());
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(nodes[i], exact[i], 1e-8 * exact[0]) << i;
  // The smoothed curve integrates to 1.
  const DensityCurve curve = smoothed_density(d, 2000);
  double integral = 0;
  for (size_t i = 1; i < curve.grid.size(); ++i) integral += curve.density[i] * (curve.grid[i] - curve.grid[i - 1]);
  EXPECT_NEAR(integral, 1.0, 1e-3);
}

// Softmax regression (3 classes, 5 features, 30 samples): cross-entropy's Hessian in closed form.
TEST(HessianTest, SoftmaxRegressionProductsAreTheClosedForm) {
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({30, 5}, torch::kDouble);
  const torch::Tensor y = torch::randint(0, 3, {30}, torch::kLong);
  LinearModel model(5, 3);
  model.to(torch::kDouble);
  const TensorSamples samples(x, y);
  const Classification task;
  FixedLoss loss(model, samples, task, 0, 8);
  // Parameters: weight [3, 5] row-major, then bias [3]. For sample i, with p = softmax(W x + b)
  // and a = [x; 1]: d2/dW_cj dW_dk = (p_c delta_cd - p_c p_d) x_j x_k, and likewise with the bias.
  torch::Tensor h = torch::zeros({18, 18}, torch::kDouble);
  const torch::Tensor p = torch::softmax(torch::mm(x, model.linear->weight.detach().t()) + model.linear->bias.detach(), 1);
  for (int i = 0; i < 30; ++i) {
    const torch::Tensor s = torch::diag(p[i]) - torch::outer(p[i], p[i]);
    const torch::Tensor a = torch::cat({x[i], torch::ones({1}, torch::kDouble)});
    for (int c = 0; c < 3; ++c)
      for (int d = 0; d < 3; ++d)
        for (int j = 0; j < 6; ++j)
          for (int k = 0; k < 6; ++k) {
            const int row = j < 5 ? c * 5 + j : 15 + c, col = k < 5 ? d * 5 + k : 15 + d;
            h[row][col] += s[c][d].item<double>() * a[j].item<double>() * a[k].item<double>() / 30;
          }
  }
  for (int i = 0; i < 3; ++i) {
    const torch::Tensor v = gaussian(18, 20 + i);
    EXPECT_LT((loss.hessian_vector_product(v) - torch::mv(h, v)).abs().max().item<double>(), 1e-12);
  }
  HessianOf hessian(loss);
  EigenOptions options;
  options.count = 2;
  options.tolerance = 1e-10;
  const auto exact = dense_eigenvalues(h);
  const Eigenpairs top = lanczos_top(hessian, options);
  EXPECT_NEAR(top.values[0], exact[0], 1e-8);
  EXPECT_NEAR(top.values[1], exact[1], 1e-8);
}

// A network with BN in eval mode (running statistics set away from 0 and 1).
struct NormNetProblem {
  NormNetProblem() {
    torch::manual_seed(6);
    model.to(torch::kDouble);
    torch::NoGradGuard no_grad;
    model.norm->running_mean.copy_(torch::tensor({0.1, -0.2, 0.3}, torch::kDouble));
    model.norm->running_var.copy_(torch::tensor({0.5, 1.5, 2.0}, torch::kDouble));
    inputs = torch::randn({24, 1, 5, 5}, torch::kDouble);
    targets = torch::randint(0, 4, {24}, torch::kLong);
  }
  TinyNormNet model;
  torch::Tensor inputs, targets;
  Classification task;
};

TEST(HessianTest, NetworkWithNormProductsMatchFiniteDifferencesAndTheExplicitHessian) {
  NormNetProblem problem;
  const TensorSamples samples(problem.inputs, problem.targets);
  FixedLoss loss(problem.model, samples, problem.task, 0, 10);
  const std::int64_t n = loss.dimension();
  const torch::Tensor w = loss.parameters();
  const torch::Tensor v = gaussian(n, 1);
  const torch::Tensor hv = loss.hessian_vector_product(v);
  // Central differences of the gradient.
  const double eps = 1e-5;
  loss.set_parameters(w + eps * v);
  const torch::Tensor g_plus = loss.gradient();
  loss.set_parameters(w - eps * v);
  const torch::Tensor g_minus = loss.gradient();
  loss.set_parameters(w);
  const torch::Tensor fd = (g_plus - g_minus) / (2 * eps);
  EXPECT_LT((hv - fd).abs().max().item<double>(), 1e-7 * std::max(1.0, hv.abs().max().item<double>()));
  // The explicit Hessian, row i = the gradient of the i-th gradient component (one backward each).
  problem.model.eval();
  std::vector<torch::Tensor> params = problem.model.parameters();
  const torch::Tensor all_loss = problem.task.loss(problem.model.forward(problem.inputs), problem.targets);
  const auto grads = torch::autograd::grad({all_loss}, params, {}, true, true);
  std::vector<torch::Tensor> flat_grads;
  for (const auto& g : grads) flat_grads.push_back(g.reshape(-1));
  const torch::Tensor g = torch::cat(flat_grads);
  torch::Tensor h = torch::zeros({n, n}, torch::kDouble);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto row = torch::autograd::grad({g[i]}, params, {}, true, false, true);
    std::vector<torch::Tensor> parts;
    for (size_t j = 0; j < row.size(); ++j)
      parts.push_back(row[j].defined() ? row[j].reshape(-1) : torch::zeros({params[j].numel()}, torch::kDouble));
    h[i].copy_(torch::cat(parts));
  }
  EXPECT_LT((h - h.t()).abs().max().item<double>(), 1e-10);
  EXPECT_LT((torch::mv(h, v) - hv).abs().max().item<double>(), 1e-10);
}

// Central differences of the gradient: close to double backward (error ~ eps^(2/3)), two
// gradients per product, and the parameters put back.
TEST(HessianTest, DifferencedProductsMatchDoubleBackward) {
  NormNetProblem problem;
  const TensorSamples samples(problem.inputs, problem.targets);
  FixedLoss exact(problem.model, samples, problem.task, 0, 10), differenced(problem.model, samples, problem.task, 0, 10);
  differenced.set_products(HessianProducts::kFiniteDifferences);
  const torch::Tensor w = exact.parameters(), v = gaussian(exact.dimension(), 4);
  const torch::Tensor hv = exact.hessian_vector_product(v), fd = differenced.hessian_vector_product(v);
  EXPECT_LT((hv - fd).norm().item<double>(), 1e-8 * hv.norm().item<double>());
  EXPECT_FALSE(torch::equal(hv, fd));  // another computation
  EXPECT_TRUE(torch::equal(exact.parameters(), w));
  EXPECT_EQ(differenced.hessian_products(), 1);
  // In float the error is about eps^(2/3) ~ 2e-5 relative.
  TinyNormNet single;
  const TensorSamples floats(problem.inputs.to(torch::kFloat), problem.targets);
  FixedLoss a(single, floats, problem.task, 0, 24), b(single, floats, problem.task, 0, 24);
  b.set_products(HessianProducts::kFiniteDifferences);
  const torch::Tensor u = gaussian(a.dimension(), 5);
  const torch::Tensor ha = a.hessian_vector_product(u);
  EXPECT_LT((ha - b.hessian_vector_product(u)).norm().item<double>(), 1e-3 * ha.norm().item<double>());
}

TEST(HessianTest, BatchStatisticsLeaveTheModelUnchanged) {
  NormNetProblem problem;
  const TensorSamples samples(problem.inputs, problem.targets);
  const torch::Tensor mean = problem.model.norm->running_mean.clone();
  FixedLoss batch(problem.model, samples, problem.task, 0, 24, NormStatistics::kBatch);
  FixedLoss running(problem.model, samples, problem.task, 0, 24, NormStatistics::kRunning);
  const torch::Tensor v = gaussian(batch.dimension(), 2);
  const torch::Tensor with_batch = batch.hessian_vector_product(v);
  EXPECT_TRUE(torch::equal(problem.model.norm->running_mean, mean));
  EXPECT_TRUE(problem.model.is_training());  // as it was
  // The two modes are different functions of the parameters.
  EXPECT_GT((with_batch - running.hessian_vector_product(v)).abs().max().item<double>(), 1e-6);
  EXPECT_NE(batch.value().loss, running.value().loss);
}

TEST(HessianTest, SamplesLimitTheData) {
  NormNetProblem problem;
  const TensorSamples samples(problem.inputs, problem.targets);
  FixedLoss first(problem.model, samples, problem.task, 10, 4);
  EXPECT_EQ(first.samples(), 10);
  const TensorSamples ten(problem.inputs.narrow(0, 0, 10), problem.targets.narrow(0, 0, 10));
  FixedLoss exact(problem.model, ten, problem.task, 0, 10);
  EXPECT_DOUBLE_EQ(first.value().loss, exact.value().loss);
  FixedLoss all(problem.model, samples, problem.task, 0, 4);
  EXPECT_NE(all.value().loss, exact.value().loss);
}

}  // namespace
}  // namespace localsgd::analysis
