import DSL
import Runtime
