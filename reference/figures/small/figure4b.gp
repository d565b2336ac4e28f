# Written by localsgd-analyze. Restyle freely, then rerun: gnuplot path/to/figure4b.gp
# Reads figure4b.csv beside this script; writes figure4b.png, .pdf and .svg beside it.
base = "figure4b"
dir = "."; found = 0
do for [i = strlen(ARG0):1:-1] {
  if (!found && ARG0[i:i] eq "/") { dir = ARG0[1:i-1]; found = 1 }
}
csv = dir . "/" . base . ".csv"
set datafile separator comma
set grid
set title "Figure 4 (b): loss on (1 - alpha) w_mini-batch + alpha w_post-local" noenhanced
set xlabel "alpha" noenhanced
set ylabel "loss" noenhanced
array labels[2] = ["train loss", "test loss"]
set key top right
set style fill transparent solid 0.2 noborder
# CSV columns: 1 series, 2 x, 3 y_mean, 4 y_std, 5 seeds. A band is mean +- std.
mine(i) = strcol(1) eq labels[i]
set terminal pngcairo size 960,640 font ",12"
set output dir . "/" . base . ".png"
plot for [i=1:|labels|] csv skip 1 using 2:(mine(i) ? $3-$4 : NaN):(mine(i) ? $3+$4 : NaN) with filledcurves lc i notitle, \
     for [i=1:|labels|] csv skip 1 using 2:(mine(i) ? $3 : NaN) with linespoints lc i pt 7 ps 0.5 lw 2 title labels[i] noenhanced
set terminal pdfcairo size 6in,4in font ",10"
set output dir . "/" . base . ".pdf"
plot for [i=1:|labels|] csv skip 1 using 2:(mine(i) ? $3-$4 : NaN):(mine(i) ? $3+$4 : NaN) with filledcurves lc i notitle, \
     for [i=1:|labels|] csv skip 1 using 2:(mine(i) ? $3 : NaN) with linespoints lc i pt 7 ps 0.5 lw 2 title labels[i] noenhanced
set terminal svg size 960,640 dynamic font ",12"
set output dir . "/" . base . ".svg"
plot for [i=1:|labels|] csv skip 1 using 2:(mine(i) ? $3-$4 : NaN):(mine(i) ? $3+$4 : NaN) with filledcurves lc i notitle, \
     for [i=1:|labels|] csv skip 1 using 2:(mine(i) ? $3 : NaN) with linespoints lc i pt 7 ps 0.5 lw 2 title labels[i] noenhanced
unset output
