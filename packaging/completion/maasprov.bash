# bash completion for maasprov (the maasprov CLI). Installed as
# /usr/share/bash-completion/completions/maasprov; also printed by `maasprov completion bash`:
#   source <(maasprov completion bash)
_maasprov() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  local commands="apply get describe delete wait validate plugins hosts version completion help"
  local types="maasmachines maasclusters secrets mm mc"
  local global="--server --token --token-file --namespace -n --help"

  # The command is the first word that is not a flag or a global flag's value.
  local cmd="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      --server | --token | --token-file | --namespace | -n) ((i++)) ;;
      -*) ;;
      *) cmd=${words[i]}; break ;;
    esac
  done

  case $prev in
    -f | --filename | --token-file)
      COMPREPLY=($(compgen -f -- "$cur"))
      compopt -o filenames 2>/dev/null
      return ;;
    -o | --output)
      COMPREPLY=($(compgen -W "table wide json yaml" -- "$cur"))
      return ;;
    --for)
      COMPREPLY=($(compgen -W "condition=Ready delete" -- "$cur"))
      return ;;
    --server | --token | --timeout | -n | --namespace | -l | --selector)
      return ;;
  esac

  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "$commands $global" -- "$cur"))
    return
  fi

  local flags=""
  case $cmd in
    apply) flags="-f --filename" ;;
    get) flags="-A --all-namespaces -l --selector -o --output" ;;
    describe) flags="-A --all-namespaces -l --selector" ;;
    delete) flags="-f --filename -l --selector --wait --timeout --ignore-not-found" ;;
    wait) flags="-A --all-namespaces -l --selector --for --timeout" ;;
    validate) flags="-f --filename" ;;
    plugins | hosts) flags="-o --output" ;;
    completion) COMPREPLY=($(compgen -W "bash" -- "$cur")); return ;;
    help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
  esac

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags $global" -- "$cur"))
    return
  fi

  case $cmd in
    get | describe | delete | wait)
      # The word after the command is the type; later words are object names from the server.
      local type="" j
      for ((j = i + 1; j < cword; j++)); do
        case ${words[j]} in
          -*) ;;
          *) type=${words[j]}; break ;;
        esac
      done
      if [[ -z $type ]]; then
        COMPREPLY=($(compgen -W "$types" -- "$cur"))
      else
        local names
        names=$(maasprov get "$type" -o json 2>/dev/null |
          sed -n 's/^      "name": "\(.*\)",\{0,1\}$/\1/p')
        COMPREPLY=($(compgen -W "$names" -- "$cur"))
      fi ;;
  esac
}
complete -F _maasprov maasprov
