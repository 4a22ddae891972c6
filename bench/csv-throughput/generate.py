# 10^6 rows, 8 numeric features and a 3-class label (78 MB), to stdout.
import random, sys
random.seed(0)
out = sys.stdout
out.write('f1,f2,f3,f4,f5,f6,f7,f8,label\n')
for r in range(1000000):
    out.write(','.join(f'{random.uniform(-10, 10):.6f}' for _ in range(8)) + f',{r % 3}\n')
