# Written by localsgd-analyze. Restyle freely, then rerun: gnuplot path/to/figure3a.gp
# Reads figure3a.csv beside this script; writes figure3a.png, .pdf and .svg beside it.
base = "figure3a"
dir = "."; found = 0
do for [i = strlen(ARG0):1:-1] {
  if (!found && ARG0[i:i] eq "/") { dir = ARG0[1:i-1]; found = 1 }
}
csv = dir . "/" . base . ".csv"
set datafile separator comma
set grid
set title "Figure 3 (a): post-local SGD, K = 16, test accuracy vs H" noenhanced
set xlabel "" noenhanced
set ylabel "best test accuracy" noenhanced
set key off
set style fill solid 0.6 border -1
set boxwidth 0.6
set xtics noenhanced
set yrange [0:*]
# CSV columns: 1 label, 2 mean, 3 std, 4 seeds.
set terminal pngcairo size 960,640 font ",12"
set output dir . "/" . base . ".png"
plot csv skip 1 using 0:2:xtic(1) with boxes lc 1, \
     csv skip 1 using 0:2:3 with yerrorbars lc black pt 0 ps 0 lw 1.5
set terminal pdfcairo size 6in,4in font ",10"
set output dir . "/" . base . ".pdf"
plot csv skip 1 using 0:2:xtic(1) with boxes lc 1, \
     csv skip 1 using 0:2:3 with yerrorbars lc black pt 0 ps 0 lw 1.5
set terminal svg size 960,640 dynamic font ",12"
set output dir . "/" . base . ".svg"
plot csv skip 1 using 0:2:xtic(1) with boxes lc 1, \
     csv skip 1 using 0:2:3 with yerrorbars lc black pt 0 ps 0 lw 1.5
unset output
